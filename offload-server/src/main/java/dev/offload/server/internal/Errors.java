package dev.offload.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.offload.InvalidInputException;
import dev.offload.JobError;
import dev.offload.JobNotFoundException;
import dev.offload.JobStateConflictException;
import dev.offload.MapException;
import dev.offload.QueueFullException;
import dev.offload.ShuttingDownException;
import dev.offload.StoreException;
import dev.offload.TaskFailedException;
import dev.offload.TaskNotFoundException;
import dev.offload.TaskTimeoutException;
import dev.offload.server.Problem;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become problem+json answers. Expected failures (bad input, not
 * found, busy) map to 4xx/503/504 without logging a stack trace; only the unexpected becomes a 500,
 * logged here with its trace and answered with a generic detail.
 */
public final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  public static Problem toProblem(Throwable error) {
    return toProblem(error, () -> false);
  }

  /**
   * The problem for {@code error}; {@code storeReachable} tells a store that answered with an error
   * (a bug or a constraint: 500) from one that cannot be reached (503, worth retrying). Neither
   * detail carries the store's message: it may hold its URL, SQL or schema names.
   */
  public static Problem toProblem(Throwable error, BooleanSupplier storeReachable) {
    Throwable t = unwrap(error);
    return switch (t) {
      case ProblemException p -> p.problem();
      case JsonProcessingException j ->
          Problem.of(ProblemType.MALFORMED_JSON, "malformed JSON: " + j.getOriginalMessage());
      case TaskNotFoundException e ->
          Problem.of(ProblemType.TASK_NOT_FOUND, e.getMessage()).with("task", e.task());
      case JobNotFoundException e ->
          Problem.of(ProblemType.JOB_NOT_FOUND, e.getMessage()).with("id", e.id().toString());
      case InvalidInputException e ->
          Problem.of(ProblemType.INVALID_INPUT, e.getMessage()).with("field", e.field());
      case JobStateConflictException e ->
          Problem.of(ProblemType.JOB_STATE_CONFLICT, e.getMessage())
              .with("id", e.id().toString())
              .with("state", e.state().wireName());
      case QueueFullException e ->
          Problem.of(ProblemType.QUEUE_FULL, e.getMessage())
              .retryAfter(e.retryAfter() == null ? Duration.ofSeconds(1) : e.retryAfter());
      case ShuttingDownException e ->
          Problem.of(ProblemType.SHUTTING_DOWN, e.getMessage()).retryAfter(Duration.ofSeconds(5));
      case TaskTimeoutException e -> Problem.of(ProblemType.TIMEOUT, e.getMessage());
      case MapException e -> toProblem(e.getCause()).with("index", e.index());
      case TaskFailedException e -> taskFailed(e);
      case StoreException e -> {
        if (reachable(storeReachable)) {
          LOG.error("the job store refused a request", e);
          yield Problem.of(
              ProblemType.INTERNAL_ERROR, "the job store refused the request; see server log");
        }
        LOG.warn("job store unreachable: {}", e.getMessage(), e);
        yield Problem.of(
                ProblemType.STORE_UNAVAILABLE, "the job store is not answering; try again later")
            .retryAfter(Duration.ofSeconds(5));
      }
      case CancellationException e ->
          Problem.of(ProblemType.SHUTTING_DOWN, "the work was cancelled");
      // A failure that names its own job error (a task in a child process raised, crashed or ran
      // out of memory) is the task's, not a bug of the server.
      case JobError.Source s ->
          Problem.of(ProblemType.TASK_FAILED, t.getMessage()).with("error", s.jobError().type());
      default -> {
        LOG.error("unexpected error while answering a request", t);
        yield Problem.of(
            ProblemType.INTERNAL_ERROR,
            "unexpected " + t.getClass().getSimpleName() + "; see server log");
      }
    };
  }

  /**
   * A task that rejected its own input ({@link InvalidInputException}, or an error of type {@code
   * invalid-input}) is the caller's fault: 422. Anything else it threw is the task's: 500, with the
   * task's message but never its stack trace.
   */
  private static Problem taskFailed(TaskFailedException e) {
    JobError err = e.error();
    if (e.getCause() instanceof InvalidInputException invalid) {
      return Problem.of(ProblemType.INVALID_INPUT, invalid.getMessage())
          .with("field", invalid.field());
    }
    if (err != null && JobError.INVALID_INPUT.equals(err.type())) {
      return Problem.of(ProblemType.INVALID_INPUT, err.message());
    }
    if (err != null && JobError.TIMEOUT.equals(err.type())) {
      return Problem.of(ProblemType.TIMEOUT, e.getMessage());
    }
    return Problem.of(ProblemType.TASK_FAILED, e.getMessage())
        .with("error", err == null ? null : err.type());
  }

  private static boolean reachable(BooleanSupplier storeReachable) {
    try {
      return storeReachable.getAsBoolean();
    } catch (RuntimeException e) {
      LOG.debug("store readiness check failed", e);
      return false;
    }
  }

  /** The cause inside the wrappers futures add. */
  public static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof ExecutionException || cur instanceof CompletionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
