package dev.offload.chaos;

/** The chaos run on Sqlite. */
class SqliteChaosTest extends ChaosCheck {
  @Override
  String store() {
    return "sqlite";
  }
}
