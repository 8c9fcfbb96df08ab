# bench/lib.sh: what bench/run and bench/publish share, sourced by both after their options: the
# tools (installed when missing), the broker's facts, starting and stopping a gateway, CPU
# accounting from /proc, and a few helpers. Expects BUILD (1 to build the jar) to be set; the
# caller then sets REPORT (the file say() appends to) and APP_ARGS (before start_gateway).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
WORK=$BENCH/work
PORT=${BENCH_PORT:-18080}
AMQP_URI=${BENCH_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/%2F}
MANAGEMENT_URL=${BENCH_MANAGEMENT_URL:-http://127.0.0.1:15672}
MANAGEMENT_USER=guest:guest
GATEWAY_URL=http://127.0.0.1:$PORT
# The actuator answers on its own port (management.server.port), never on the gateway's: the
# bench puts it 1000 above the gateway's port, as the scripts that start several gateways do.
management_port() { echo $(( $1 + 1000 )); }
ACTUATOR_URL=http://127.0.0.1:$(management_port "$PORT")
PERF_TEST_VERSION=2.22.1
CONNECTIONS=8
# The production launch of docs/operations.md. A small initial heap and the serial collector keep
# the resident set small (live data is ~20 MB; the default JVM grew to ~400 MB RSS after the drains,
# these options ~210 MB); the maximum heap is what the memory model asks for (a 128 MiB message
# needs twice its size while it arrives). C2 stays on: C1 alone (-XX:TieredStopAtLevel=1) saves
# ~50 MB and ~0.5 s of start-up but doubles the CPU per message. Measured, see RESULTS.md.
JVM_OPTS=${BENCH_JVM_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m}

mkdir -p "$WORK"
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
median_of() { tr ' ' '\n' <<<"$1" | grep . | median; }
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
check() { if awk "BEGIN {exit !($1)}"; then echo "met"; else echo "MISSED"; fi; }
# CPU microseconds per message: per_message <cpu seconds> <messages>
per_message() { awk -v s="$1" -v n="$2" 'BEGIN {if (n > 0) printf "%.0f", s * 1e6 / n; else print "?"}'; }

# ---------------------------------------------------------------- tools
apt_install() {
	command -v "$1" >/dev/null && return
	log "installing $2 from Debian's packages"
	apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
}
apt_install wrk wrk
apt_install curl curl
apt_install javac openjdk-17-jdk-headless
if ! java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
	echo "the bench needs Java 17 or later" >&2
	exit 1
fi

cd "$ROOT"
if [[ $BUILD == 1 ]]; then
	log "building the gateway jar"
	./mvnw -q -DskipTests package
fi
JAR=${BENCH_JAR:-$(ls target/amqp-gateway-*.jar | grep -v '\.original$' | head -1)}
if [[ ! -f $WORK/lib/perf-test-$PERF_TEST_VERSION.jar ]] || ! ls "$WORK"/lib/netty-codec-http-*.jar >/dev/null 2>&1; then
	# The Maven Central jar of PerfTest is not standalone: take its dependencies along.
	log "resolving PerfTest $PERF_TEST_VERSION and Netty (bench/tools-pom.xml) from Maven Central"
	./mvnw -q -f bench/tools-pom.xml dependency:copy-dependencies -DoutputDirectory=work/lib
fi
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$WORK/lib/*" "$BENCH"/*.java
AMQP_CLIENT=$(ls "$WORK"/lib/amqp-client-*.jar)
SLF4J=$(ls "$WORK"/lib/slf4j-api-*.jar)
# The bench's own clients: amqp-client and no logging back-end (slf4j warns once on stderr).
TOOL=(java -cp "$WORK/classes:$AMQP_CLIENT:$SLF4J")
queue_tool() { "${TOOL[@]}" BenchQueue "$AMQP_URI" "$@" 2>/dev/null; }
perf_test() { java -cp "$WORK/lib/*" com.rabbitmq.perf.PerfTest --uri "$AMQP_URI" "$@" 2>&1; }

# ---------------------------------------------------------------- broker
if ! curl -sf -u "$MANAGEMENT_USER" "$MANAGEMENT_URL/api/overview" >/dev/null; then
	log "enabling rabbitmq_management"
	rabbitmq-plugins enable rabbitmq_management >/dev/null
	for _ in $(seq 60); do
		curl -sf -u "$MANAGEMENT_USER" "$MANAGEMENT_URL/api/overview" >/dev/null && break
		sleep 1
	done
fi
OVERVIEW=$(curl -sf -u "$MANAGEMENT_USER" "$MANAGEMENT_URL/api/overview")
RABBIT_VERSION=$(sed -nE 's/.*"rabbitmq_version":"([^"]+)".*/\1/p' <<<"$OVERVIEW")
ERLANG_VERSION=$(sed -nE 's/.*"erlang_version":"([^"]+)".*/\1/p' <<<"$OVERVIEW")
# The broker is the process listening on the AMQP port (rabbitmqctl runs beam.smp processes too).
AMQP_PORT=$(sed -nE 's#^amqps?://([^@]*@)?[^:/]+:([0-9]+).*#\2#p' <<<"$AMQP_URI")
BROKER_PID=$(ss -ltnpH "sport = :${AMQP_PORT:-5672}" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1)
BROKER_PID=${BROKER_PID:-$(pgrep -o beam.smp || true)}

# ---------------------------------------------------------------- gateway
GATEWAY_PID=
check_port_free() {
	if curl -s -o /dev/null "$GATEWAY_URL"; then
		echo "port $PORT is in use; set BENCH_PORT" >&2
		exit 1
	fi
}
stop_gateway() {
	if [[ -n $GATEWAY_PID ]] && kill -0 "$GATEWAY_PID" 2>/dev/null; then
		kill "$GATEWAY_PID"
		for _ in $(seq 150); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$GATEWAY_PID" 2>/dev/null || true
	fi
	GATEWAY_PID=
}
proc_status() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
rss_mb() { echo $(( $(proc_status "$GATEWAY_PID" VmRSS) / 1024 )); }
# start_gateway <java arguments before the application's>: starts it with APP_ARGS, waits for
# readiness UP, and sets GATEWAY_PID, READY_MS (from just before exec to the first UP),
# STARTED_LINE and RSS_AT_READY.
start_gateway() {
	local start
	start=$(date +%s%N)
	# shellcheck disable=SC2086 # JVM_OPTS is a list of options
	java $JVM_OPTS "$@" "${APP_ARGS[@]}" --management.server.port="$(management_port "$PORT")" >"$WORK/gateway.log" 2>&1 &
	GATEWAY_PID=$!
	READY_MS=
	for _ in $(seq 1200); do
		if curl -sf "$ACTUATOR_URL/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; then
			READY_MS=$(( ($(date +%s%N) - start) / 1000000 ))
			break
		fi
		kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$WORK/gateway.log" >&2; exit 1; }
		sleep 0.05
	done
	[[ -n $READY_MS ]] || { echo "the gateway did not get ready in 60 s" >&2; exit 1; }
	STARTED_LINE=$(grep -m1 -oE 'Started AmqpGatewayApplication in [0-9.]+ seconds \(process running for [0-9.]+\)' "$WORK/gateway.log" || true)
	RSS_AT_READY=$(rss_mb)
}
# The value of one of the gateway's counters (actuator metrics), as a whole number.
gateway_counter() {
	curl -sf "$ACTUATOR_URL/actuator/metrics/$1" | sed -nE 's/.*"statistic":"COUNT","value":([0-9.Ee+]+).*/\1/p' |
		awk '{printf "%.0f", $1}'
}

# ---------------------------------------------------------------- CPU accounting
# Who used the cores during a measurement, from /proc: the gateway, the broker, the client (wrk or
# PerfTest, children of the script), the process EXTRA_PID names as EXTRA_NAME when set (one that
# runs for the whole bench, such as bench/agent's HTTP sink), everything else on the machine, and
# idle. The gateway's run-queue wait (time its threads were ready but had no core) shows how much
# other load cost it.
HZ=$(getconf CLK_TCK)
ticks_of() { [[ -n $1 && -r /proc/$1/stat ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
children_ticks() { awk '{print $16 + $17}' "/proc/$$/stat"; }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6}' /proc/stat; }
run_queue_ns() { cat "/proc/$GATEWAY_PID"/task/*/schedstat 2>/dev/null | awk '{sum += $2} END {printf "%.0f", sum}'; }
cpu_begin() {
	CPU0=("$(date +%s%N)" "$(ticks_of "$GATEWAY_PID")" "$(ticks_of "$BROKER_PID")" "$(children_ticks)" \
		$(machine_ticks) "$(run_queue_ns)" "$(ticks_of "${EXTRA_PID:-}")")
}
# Sets CPU_LINE (cores used, for the report) and CPU_GATEWAY_S, CPU_BROKER_S, CPU_CLIENT_S,
# CPU_EXTRA_S (CPU seconds).
cpu_end() {
	local now gw br cl total idle wait ex
	now=$(date +%s%N); gw=$(ticks_of "$GATEWAY_PID"); br=$(ticks_of "$BROKER_PID"); cl=$(children_ticks)
	read -r total idle < <(machine_ticks)
	wait=$(run_queue_ns); ex=$(ticks_of "${EXTRA_PID:-}")
	CPU_GATEWAY_S=$(awk -v t="$(( gw - CPU0[1] ))" -v hz="$HZ" 'BEGIN {print t / hz}')
	CPU_BROKER_S=$(awk -v t="$(( br - CPU0[2] ))" -v hz="$HZ" 'BEGIN {print t / hz}')
	CPU_CLIENT_S=$(awk -v t="$(( cl - CPU0[3] ))" -v hz="$HZ" 'BEGIN {print t / hz}')
	CPU_EXTRA_S=$(awk -v t="$(( ex - CPU0[7] ))" -v hz="$HZ" 'BEGIN {print t / hz}')
	CPU_LINE=$(awk -v s="$(( now - CPU0[0] ))" -v hz="$HZ" -v gw="$(( gw - CPU0[1] ))" -v br="$(( br - CPU0[2] ))" \
		-v cl="$(( cl - CPU0[3] ))" -v total="$(( total - CPU0[4] ))" -v idle="$(( idle - CPU0[5] ))" \
		-v wait="$(( wait - CPU0[6] ))" -v ex="$(( ex - CPU0[7] ))" -v exname="${EXTRA_PID:+${EXTRA_NAME:-extra}}" 'BEGIN {
		secs = s / 1e9; busy = total - idle
		other = busy - gw - br - cl - ex; if (other < 0) other = 0
		extra = (exname != "") ? sprintf(", %s %.2f", exname, ex / hz / secs) : ""
		printf "gateway %.2f (waiting for a core %.2f), broker %.2f, client %.2f%s, other %.2f, idle %.2f", \
			gw / hz / secs, wait / 1e9 / secs, br / hz / secs, cl / hz / secs, extra, other / hz / secs, idle / hz / secs
	}')
}

# ---------------------------------------------------------------- profiler
# async-profiler (its Maven Central jar carries the native agent), loaded into the running gateway
# with jcmd, sampling CPU every millisecond, Java and kernel frames; JFR where it cannot load.
# profile_start <recording file> sets PROFILER (what records); profile_stop ends the recording.
profile_start() {
	local arch agent
	RECORDING=$1
	rm -f "$RECORDING"
	arch=$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
	agent=$WORK/profiler/linux-$arch/libasyncProfiler.so
	if [[ ! -f $agent ]]; then
		./mvnw -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory="$WORK/profiler" || true
		(cd "$WORK/profiler" && jar xf async-profiler-4.2.jar "linux-$arch/libasyncProfiler.so") || true
	fi
	# jcmd reads "key=value" as its own argument unless the option string is quoted.
	if [[ -f $agent ]] && jcmd "$GATEWAY_PID" JVMTI.agent_load "$agent" "\"start,event=cpu,interval=1ms,file=$RECORDING\"" >/dev/null; then
		PROFILER="async-profiler (cpu, 1 ms)"
		PROFILER_AGENT=$agent
	else
		PROFILER="JFR (settings=profile)"
		PROFILER_AGENT=
		jcmd "$GATEWAY_PID" JFR.start name=bench settings=profile filename="$RECORDING" >/dev/null
	fi
}
profile_stop() {
	if [[ -n $PROFILER_AGENT ]]; then
		jcmd "$GATEWAY_PID" JVMTI.agent_load "$PROFILER_AGENT" "\"stop,file=$RECORDING\"" >/dev/null
	else
		jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
	fi
	sleep 1
}

# ---------------------------------------------------------------- wrk
# wrk output: "<key>=N" from the Lua script, and wrk's own elapsed time ("N requests in 5.01s").
wrk_count() { sed -nE "s/^(.* )?$1=([0-9]+).*/\\2/p" <<<"$2" | head -1; }
wrk_rate_of() {
	local secs
	secs=$(sed -nE 's/.* requests in ([0-9.]+)s,.*/\1/p' <<<"$2")
	awk -v n="$(wrk_count "$1" "$2")" -v s="${secs:-0}" 'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}'
}
