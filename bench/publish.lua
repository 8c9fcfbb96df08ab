-- wrk script for publish A: POSTs a 1 KiB JSON object on keep-alive connections; counts the 200
-- answers (published and confirmed) apart from any other. Prints "published=<count> others=<count>".
local threads = {}

local head = '{"n":0,"pad":"'
local tail = '"}'
wrk.method = "POST"
wrk.body = head .. string.rep("x", 1024 - #head - #tail) .. tail
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	published = 0
	others = 0
end

function response(status, headers, body)
	if status == 200 then
		published = published + 1
	else
		others = others + 1
	end
end

function done(summary, latency, requests)
	local total, rest = 0, 0
	for _, thread in ipairs(threads) do
		total = total + thread:get("published")
		rest = rest + thread:get("others")
	end
	io.write(string.format("published=%d others=%d\n", total, rest))
end
