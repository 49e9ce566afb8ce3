#!/usr/bin/env python3
"""Publishes one Offload job to RabbitMQ with pika (Debian: python3-pika), no Offload code.

    python3 rabbitmq_producer.py amqp://guest:guest@127.0.0.1:5672/%2f offload.default \
        '{"task": "spin", "input": {"ms": 20}, "idempotencyKey": "order-42"}'

The queue is Offload's queue name with its prefix ("offload." + queue); Offload workers create it
(a durable quorum queue). The message is persistent, carries a message_id (so a redelivery maps to
one job) and is confirmed by the broker before the script exits.
"""
import sys
import time
import uuid

import pika


def main(url, queue, job_json):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()  # basic_publish now raises unless the broker confirms
    channel.basic_publish(
        exchange="",
        routing_key=queue,
        body=job_json.encode("utf-8"),
        properties=pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,  # persistent
            message_id=str(uuid.uuid4()),
            timestamp=int(time.time()),
        ),
        mandatory=True,  # fail if no such queue instead of dropping the job
    )
    connection.close()
    print("published to", queue)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: rabbitmq_producer.py AMQP_URL QUEUE JOB_JSON")
    main(*sys.argv[1:])
