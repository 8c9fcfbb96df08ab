-- wrk script for publish C: the RabbitMQ management API's "publish message" (mandatory, in
-- confirm mode: it answers once the broker confirmed), one persistent 1 KiB JSON message per
-- request to the exchange BENCH_EXCHANGE with routing key BENCH_QUEUE. Counts the answers that say
-- the message reached a queue ({"routed":true}). Prints "published=<count> others=<count>".
local threads = {}

local head = '{"n":0,"pad":"'
local tail = '"}'
local payload = head .. string.rep("x", 1024 - #head - #tail) .. tail
wrk.method = "POST"
wrk.path = "/api/exchanges/%2F/" .. os.getenv("BENCH_EXCHANGE") .. "/publish"
wrk.body = '{"properties":{"delivery_mode":2,"content_type":"application/json"},"routing_key":"'
	.. os.getenv("BENCH_QUEUE") .. '","payload_encoding":"string","payload":"'
	.. payload:gsub('"', '\\"') .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_MANAGEMENT_AUTH")

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	published = 0
	others = 0
end

function response(status, headers, body)
	if status == 200 and body:find('"routed":true', 1, true) then
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
