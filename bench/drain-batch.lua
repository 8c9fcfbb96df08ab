-- wrk script for batch drains (GET <endpoint>?max=N): keep-alive GETs; counts the messages in the
-- 200 answers' envelopes, one per "body" member (a message whose body could not be decoded has
-- "error" instead and is counted under errors), and answers otherwise (204s: nothing in time).
-- Prints "drained=<messages> batches=<200 answers> errors=<undecodable> others=<other answers>".
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	drained = 0
	batches = 0
	errors = 0
	others = 0
end

local function count(body, part)
	local n, at = 0, 1
	while true do
		local found = string.find(body, part, at, true)
		if not found then
			return n
		end
		n = n + 1
		at = found + #part
	end
end

function response(status, headers, body)
	if status == 200 then
		batches = batches + 1
		drained = drained + count(body, '"body":')
		errors = errors + count(body, '"error":')
	else
		others = others + 1
	end
end

function done(summary, latency, requests)
	local total, batched, failed, rest = 0, 0, 0, 0
	for _, thread in ipairs(threads) do
		total = total + thread:get("drained")
		batched = batched + thread:get("batches")
		failed = failed + thread:get("errors")
		rest = rest + thread:get("others")
	end
	io.write(string.format("drained=%d batches=%d errors=%d others=%d\n", total, batched, failed, rest))
end
