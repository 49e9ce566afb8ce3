package dev.offload.process;

/** Where a child process is in its life. */
public enum ChildState {
  /** Spawned, has not said {@code ready} yet. */
  STARTING,
  /** Ready and waiting for work. */
  IDLE,
  /** Running an attempt. */
  BUSY,
  /** Asked to stop its attempt (cancel or soft time limit); killed if it does not. */
  CANCELLING,
  /** Asked to exit (recycled after N tasks, or the pool is closing). */
  RETIRING,
  /** Being killed (hard time limit, memory limit, no heartbeat, cancel grace over). */
  KILLED
}
