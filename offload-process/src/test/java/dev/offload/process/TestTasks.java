package dev.offload.process;

import dev.offload.Task;
import dev.offload.demo.DemoTasks;
import dev.offload.spi.TaskProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Tasks for child JVMs in tests, found by the child through ServiceLoader. */
public final class TestTasks implements TaskProvider {
  public record Empty() {}

  public record Pid(long pid, int attempt) {}

  public record Code(int code) {}

  public record Mb(int mb) {}

  static final Task<Empty, Pid> PID =
      Task.of(
          "pid",
          Empty.class,
          Pid.class,
          (in, ctx) -> {
            System.out.println("printed by the task: goes to stderr, not the protocol");
            return new Pid(ProcessHandle.current().pid(), ctx.attempt());
          });

  /** Ignores cancel and interrupts: only a kill stops it. */
  static final Task<Empty, Empty> RUNAWAY =
      Task.of(
          "runaway",
          Empty.class,
          Empty.class,
          (in, ctx) -> {
            long x = 0;
            while (x >= 0) {
              x += System.nanoTime() & 1;
              Thread.interrupted();
            }
            return new Empty();
          });

  static final Task<Code, Empty> CRASH =
      Task.of(
          "crash",
          Code.class,
          Empty.class,
          (in, ctx) -> {
            System.err.println("about to crash with " + in.code());
            System.err.flush();
            Runtime.getRuntime().halt(in.code());
            return new Empty();
          });

  /** Its child dies on the first attempt; later attempts succeed and say which they were. */
  static final Task<Empty, Pid> CRASH_ONCE =
      Task.of(
          "crash_once",
          Empty.class,
          Pid.class,
          (in, ctx) -> {
            if (ctx.attempt() == 1) {
              System.err.println("attempt 1: crashing the child");
              System.err.flush();
              Runtime.getRuntime().halt(13);
            }
            return new Pid(ProcessHandle.current().pid(), ctx.attempt());
          });

  static final Task<Mb, Empty> HOG =
      Task.of(
          "hog",
          Mb.class,
          Empty.class,
          (in, ctx) -> {
            List<byte[]> keep = new ArrayList<>();
            for (int i = 0; i < in.mb(); i++) {
              keep.add(new byte[1 << 20]);
            }
            return keep.isEmpty() ? null : new Empty();
          });

  @Override
  public Collection<Task<?, ?>> tasks() {
    List<Task<?, ?>> all = new ArrayList<>(DemoTasks.all());
    all.addAll(List.of(PID, RUNAWAY, CRASH, CRASH_ONCE, HOG));
    return all;
  }
}
