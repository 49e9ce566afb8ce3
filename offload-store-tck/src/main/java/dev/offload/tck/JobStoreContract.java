package dev.offload.tck;

import dev.offload.spi.JobStore;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

/**
 * The contract every {@link JobStore} passes. A store module runs all of it by subclassing this
 * class in its tests and opening a fresh, empty store:
 *
 * <pre>{@code
 * class MyJobStoreContractTest extends JobStoreContract {
 *   @Override
 *   protected JobStore createStore(InstantSource clock) {
 *     return MyJobStore.open(testDatabase());   // emptied here, not after the test
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a new {@link ManualClock} at {@link ManualClock#DEFAULT_START} and a new store
 * from {@link #createStore}; the suite closes that store after the test. JUnit runs a subclass's
 * own {@code @AfterEach} methods before this class's, so they run while the store is still open:
 * empty shared state in {@code createStore} rather than after the test, and release shared
 * resources (a server, a connection pool) in {@code @AfterAll}.
 *
 * <p>The tests are grouped in {@link Nested} classes, one per part of the SPI, each written in its
 * own {@code …Contract} file of this package. What the suite checks, and the semantic choices it
 * pins down where the SPI's Javadoc leaves room, are in {@code docs/STORE-CONTRACT.md}.
 */
public abstract class JobStoreContract {
  private ManualClock clock;
  private JobStore store;
  private JobStore second;

  /**
   * A new store holding no jobs and no workers. The store may read {@code clock} (the SPI passes
   * time explicitly, so most stores ignore it); the suite closes the store after each test.
   */
  protected abstract JobStore createStore(InstantSource clock) throws Exception;

  /**
   * A second store on the same data as the one {@link #createStore} returned, opened as another
   * process would open it (own connections, own listener threads), for the {@code SharedStore}
   * tests: visibility, wake-ups and races across instances. The default, {@code null}, says the
   * store cannot be shared (the in-memory one) and skips those tests. The suite closes it after the
   * test, before the first store.
   */
  protected JobStore openSecondInstance(InstantSource clock) throws Exception {
    return null;
  }

  /** The manual clock of the running test. */
  protected ManualClock clock() {
    return clock;
  }

  /** The store under test in the running test. */
  protected JobStore store() {
    return store;
  }

  @BeforeEach
  void openStoreUnderContract() throws Exception {
    clock = ManualClock.create();
    store = createStore(clock);
    if (store == null) {
      throw new IllegalStateException(getClass().getName() + ".createStore returned null");
    }
  }

  /** The second instance, opened on first use; {@code null} when the store cannot be shared. */
  JobStore secondInstance() throws Exception {
    if (second == null) {
      second = openSecondInstance(clock);
    }
    return second;
  }

  @AfterEach
  void closeStoreUnderContract() {
    try {
      if (second != null) {
        second.close();
        second = null;
      }
    } finally {
      closeFirst();
    }
  }

  private void closeFirst() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Nested
  class Enqueue extends EnqueueContract {
    Enqueue() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Claim extends ClaimContract {
    Claim() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Heartbeats extends HeartbeatContract {
    Heartbeats() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Completion extends CompletionContract {
    Completion() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Cancel extends CancelContract {
    Cancel() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class RequeueAndDelete extends RequeueDeleteContract {
    RequeueAndDelete() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class ListingAndCounts extends ListingContract {
    ListingAndCounts() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class LeaseReaping extends ReapContract {
    LeaseReaping() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Purge extends PurgeContract {
    Purge() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class AwaitWork extends AwaitWorkContract {
    AwaitWork() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Workers extends WorkerRegistryContract {
    Workers() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class RoundTrip extends RoundTripContract {
    RoundTrip() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Concurrency extends ConcurrencyContract {
    Concurrency() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class Transitions extends TransitionContract {
    Transitions() {
      super(JobStoreContract.this);
    }
  }

  @Nested
  class SharedStore extends SharedStoreContract {
    SharedStore() {
      super(JobStoreContract.this);
    }
  }
}
