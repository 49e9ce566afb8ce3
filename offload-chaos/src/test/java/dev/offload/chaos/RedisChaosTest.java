package dev.offload.chaos;

/** The chaos run on Redis, with a private server crashed and restarted once. */
class RedisChaosTest extends ChaosCheck {
  @Override
  String store() {
    return "redis";
  }
}
