#!/usr/bin/env bash
# A local Apache Kafka broker (one KRaft node) without Docker: the jars come from Maven Central
# through Maven, the data lives in infra/kafka/.kafka/ (git-ignored).
#
#   kafka.sh start     start and return once the broker accepts clients (no-op when running)
#   kafka.sh stop      stop it (no-op when stopped); data is kept
#   kafka.sh restart   stop, then start on the same data (fault tests use this)
#   kafka.sh kill      SIGKILL the broker, as a crash would (data is kept)
#   kafka.sh status    exit 0 when running
#   kafka.sh fetch     only download the jars
#   kafka.sh reset     stop and delete the data (keeps the jars)
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME_DIR (infra/kafka/.kafka),
# KAFKA_LIBS_DIR (the jars; KAFKA_HOME_DIR/libs, so a second broker can share the first one's),
# KAFKA_HEAP (512m), KAFKA_START_TIMEOUT (seconds, 120).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
home="${KAFKA_HOME_DIR:-$here/.kafka}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-120}"
libs="${KAFKA_LIBS_DIR:-$home/libs}"
data="$home/data"
logs="$home/logs"
pidfile="$home/kafka.pid"

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

require() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required to run the local Kafka broker but was not found on PATH. $2"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid="$(cat "$pidfile")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= | grep -q 'kafka.Kafka' || return 1
  echo "$pid"
}

# The jars are fetched once; the stamp records which pom they came from, so a version bump refetches.
fetch() {
  local stamp="$libs/.pom.sha256" want
  want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  require mvn "Install Apache Maven (e.g. apt-get install maven), or set KAFKA_BROKERS to an existing broker."
  rm -rf "$libs" && mkdir -p "$libs"
  local args=(-q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$libs")
  # Offline first: after one download everything is in ~/.m2 and Maven need not touch the network.
  if ! mvn -o "${args[@]}" >/dev/null 2>&1; then
    say "downloading Apache Kafka from Maven Central..."
    # Once more on failure: a fresh machine's first download has failed on a dropped connection.
    mvn "${args[@]}" || { say "retrying the download once..."; sleep 5; mvn "${args[@]}"; } ||
      die "Maven could not fetch Apache Kafka (see the output above)."
  fi
  echo "$want" >"$stamp"
}

render_config() {
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$data#g" \
    "$here/server.properties" >"$home/server.properties"
}

java_run() {
  java "-Xms128m" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$logs" "-Dlog4j2.configurationFile=$here/log4j2.properties" \
    -cp "$libs/*" "$@"
}

format_storage() {
  [ -f "$data/meta.properties" ] && return 0
  mkdir -p "$data"
  local cluster_id
  cluster_id="$(java_run kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  java_run kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" --ignore-formatted \
    >"$logs/format.log" 2>&1 || { cat "$logs/format.log" >&2; die "could not format $data"; }
}

start() {
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  if port_open "$port"; then
    say "127.0.0.1:$port is already taken by another process; using it as the broker"
    return 0
  fi
  require java "Install Java 17+ (e.g. apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS to an existing broker."
  mkdir -p "$home" "$logs"
  fetch
  render_config
  format_storage
  : >"$logs/stdout.log"
  # Same JVM options as the storage tool. setsid puts the broker in a session of its own: a test
  # runner or turbo that kills its task's process group (as they do when a task ends) must not
  # take down a broker that a fault test restarted from inside that task. nohup ignores SIGHUP.
  local detach=()
  command -v setsid >/dev/null 2>&1 && detach=(setsid)
  "${detach[@]}" nohup java "-Xms128m" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$logs" "-Dlog4j2.configurationFile=$here/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$home/server.properties" >>"$logs/stdout.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pidfile"
  local deadline=$((SECONDS + timeout))
  # Ready means the broker finished start-up (it logs that line after the listeners are open).
  until port_open "$port" && grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$logs/stdout.log" >&2 || true
      die "the broker exited during start-up (logs in $logs)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "the broker was not ready after ${timeout}s (logs in $logs)"
    sleep 0.3
  done
  say "Kafka $(kafka_version) ready on 127.0.0.1:$port (pid $pid, data in $data)"
}

kafka_version() {
  local jar
  jar="$(compgen -G "$libs/kafka_2.13-*.jar" | head -n1)"
  basename "$jar" .jar | sed 's/^kafka_2.13-//'
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  # A clean KRaft shutdown takes a few seconds; past 60 s something is stuck.
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "broker did not stop in 60s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  while port_open "$port"; do sleep 0.1; done
  rm -f "$pidfile"
  say "stopped"
}

crash() {
  local pid
  pid="$(running_pid)" || { say "not running"; return 0; }
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pidfile"
  say "killed pid $pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  kill) crash ;;
  status) if pid="$(running_pid)"; then echo "running (pid $pid) on 127.0.0.1:$port"; else echo "stopped"; exit 1; fi ;;
  fetch) mkdir -p "$home" "$libs" && fetch && say "Kafka $(kafka_version) jars in $libs" ;;
  reset) stop && rm -rf "$data" "$logs" && say "data removed" ;;
  *) echo "usage: $0 start|stop|restart|kill|status|fetch|reset" >&2; exit 2 ;;
esac
