#!/usr/bin/env bash
# Makes sure the local services the tests talk to are running; starts any that is down.
# PostgreSQL or Redis still down is left to the tests, which fail under CI=true. RabbitMQ and NATS
# (with JetStream) must be up: the broker suites need them, so this script fails saying which is not.
set -u
failed=""
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_if_down() { # port name command...
  local port=$1 name=$2; shift 2
  if up "$port"; then echo "ci: $name is up on $port"; return; fi
  echo "ci: $name is down on $port; starting it"
  "$@" >/dev/null 2>&1 || echo "ci: starting $name failed"
  for _ in $(seq 1 30); do up "$port" && { echo "ci: $name is up"; return; }; sleep 1; done
  echo "ci: $name did not come up on $port"
  return 1
}
start_if_down 5432 PostgreSQL pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | head -n1)" main start
start_if_down 6379 Redis redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
start_if_down 5672 RabbitMQ rabbitmq-server -detached || failed="$failed RabbitMQ(5672)"
if start_if_down 4222 NATS start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log; then
  # The server's INFO line says whether JetStream is on; without it the NATS transport cannot work.
  info="$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222; head -n1 <&3' 2>/dev/null || true)"
  case "$info" in
    *'"jetstream":true'*) echo "ci: NATS has JetStream on" ;;
    *) echo "ci: NATS on 4222 answers without JetStream (start it with -js)"; failed="$failed NATS-JetStream" ;;
  esac
else
  failed="$failed NATS(4222)"
fi
if [ -n "$failed" ]; then
  echo "ci: FAILED: required broker(s) not available:$failed (see the start commands above)" >&2
  exit 1
fi
exit 0
