package dev.offload.internal;

import dev.offload.Offload;

/** The engine behind {@link Offload}. Being written (issue #2); this placeholder only fails. */
public final class OffloadEngine {
  private OffloadEngine() {}

  public static Offload start(OffloadSettings settings) {
    throw new UnsupportedOperationException("engine not built yet");
  }
}
