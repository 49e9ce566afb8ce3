#!/usr/bin/env python3
"""Publishes one Offload job to Kafka with kafka-python (Debian: python3-kafka), no Offload code.

    python3 kafka_producer.py 127.0.0.1:9092 offload.default \
        '{"task": "spin", "input": {"ms": 20}}'

The topic is Offload's queue name with its prefix ("offload." + queue); Offload workers create it.
acks="all" waits until the broker has the record; the job id is derived from the record's
partition and offset when the message has no "id".
"""
import sys

from kafka import KafkaProducer


def main(bootstrap, topic, job_json):
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", api_version=(2, 8, 0))
    producer.send(topic, job_json.encode("utf-8")).get(timeout=30)
    producer.close()
    print("published to", topic)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: kafka_producer.py HOST:PORT TOPIC JOB_JSON")
    main(*sys.argv[1:])
