-- wrk script for drain A: GETs on keep-alive connections; counts only 200 responses (messages
-- delivered), not 204s (nothing in time). Prints "drained=<count>" at the end.
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	drained = 0
	others = 0
end

function response(status, headers, body)
	if status == 200 then
		drained = drained + 1
	else
		others = others + 1
	end
end

function done(summary, latency, requests)
	local total, rest = 0, 0
	for _, thread in ipairs(threads) do
		total = total + thread:get("drained")
		rest = rest + thread:get("others")
	end
	io.write(string.format("drained=%d others=%d\n", total, rest))
end
