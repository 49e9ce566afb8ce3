package dev.offload.chaos;

/** The chaos run on Postgres, with a private server crashed and restarted once. */
class PostgresChaosTest extends ChaosCheck {
  @Override
  String store() {
    return "postgresql";
  }
}
