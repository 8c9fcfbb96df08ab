-- wrk script for drain C: RabbitMQ management API "get messages", one message per request, acked
-- and removed (ack_requeue_false). Counts responses that carried a message (not "[]").
-- The queue comes from the environment variable BENCH_QUEUE.
local threads = {}

wrk.method = "POST"
wrk.path = "/api/queues/%2F/" .. os.getenv("BENCH_QUEUE") .. "/get"
wrk.body = '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto","truncate":50000}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_MANAGEMENT_AUTH")

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	drained = 0
	others = 0
end

function response(status, headers, body)
	if status == 200 and body ~= "[]" then
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
