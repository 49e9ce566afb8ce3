package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Page;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Listing (order, filters, limit, cursors) and counts. */
abstract class ListingContract extends ContractSupport {
  ListingContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void emptyStoreListsNothingOnOnePage() {
    Page<Job> page = store().list(JobQuery.all());

    assertThat(page.items()).isEmpty();
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void newestIdComesFirst() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      // Several jobs per millisecond too: order is by id, not by insertion or clock.
      if (i % 3 == 0) {
        clock().advanceMillis(1);
      }
      jobs.add(enqueue(queued().priority(i % 4).build()));
    }

    Page<Job> page = store().list(JobQuery.all());

    assertThat(page.items()).extracting(Job::id).containsExactlyElementsOf(idsNewestFirst(jobs));
    assertThat(page.items()).containsExactlyInAnyOrderElementsOf(jobs);
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void filtersByStateTaskAndQueue() {
    Job mailQueued = enqueue(queued().task("mail").queue("fast").build());
    Job mailScheduled = enqueue(scheduled(Duration.ofHours(1)).task("mail").queue("slow").build());
    Job pdfQueued = enqueue(queued().task("pdf").queue("slow").build());
    Job pdfRunning = running(queued().task("pdf").queue("fast").priority(1).build(), WORKER);

    assertIds(JobQuery.all().states(Set.of(JobState.QUEUED)), mailQueued, pdfQueued);
    assertIds(
        JobQuery.all().states(Set.of(JobState.RUNNING, JobState.SCHEDULED)),
        mailScheduled,
        pdfRunning);
    assertIds(JobQuery.all().states(Set.of(JobState.FAILED)));
    assertIds(JobQuery.all().task("mail"), mailQueued, mailScheduled);
    assertIds(JobQuery.all().queue("slow"), mailScheduled, pdfQueued);
    assertIds(JobQuery.all().task("pdf").queue("fast"), pdfRunning);
    assertIds(
        JobQuery.all().task("pdf").states(Set.of(JobState.QUEUED, JobState.RUNNING)),
        pdfQueued,
        pdfRunning);
    assertIds(JobQuery.all().task("nothing"));
    assertIds(JobQuery.all().queue("fast").states(Set.of(JobState.SCHEDULED)));
  }

  @Test
  void limitCapsThePage() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(enqueueQueued());
    }

    Page<Job> page = store().list(JobQuery.all().limit(2));

    assertThat(page.items())
        .extracting(Job::id)
        .containsExactlyElementsOf(idsNewestFirst(jobs).subList(0, 2));
    assertThat(page.nextCursor()).isNotNull();
  }

  @Test
  void cursorsWalkEveryJobOnceInOrder() {
    List<Job> jobs = enqueueMany(25, i -> queued());

    List<Page<Job>> pages = walk(JobQuery.all().limit(7));

    assertThat(pages).extracting(p -> p.items().size()).containsExactly(7, 7, 7, 4);
    assertThat(pages.stream().flatMap(p -> p.items().stream()).map(Job::id).toList())
        .containsExactlyElementsOf(idsNewestFirst(jobs));
  }

  @Test
  void lastPageHasNoCursorEvenWhenItIsExactlyFull() {
    List<Job> jobs = enqueueMany(6, i -> queued());

    List<Page<Job>> pages = walk(JobQuery.all().limit(3));

    assertThat(pages).extracting(p -> p.items().size()).containsExactly(3, 3);
    assertThat(pages.get(1).nextCursor()).isNull();
    assertThat(pages.stream().flatMap(p -> p.items().stream()).map(Job::id).toList())
        .containsExactlyElementsOf(idsNewestFirst(jobs));
  }

  @Test
  void cursorsWalkFilteredListings() {
    List<Job> jobs = enqueueMany(30, i -> queued().queue(i % 3 == 0 ? "x" : "y"));
    List<Job> inX = jobs.stream().filter(j -> j.queue().equals("x")).toList();

    List<Page<Job>> pages = walk(JobQuery.all().queue("x").limit(4));

    assertThat(pages).extracting(p -> p.items().size()).containsExactly(4, 4, 2);
    assertThat(pages.stream().flatMap(p -> p.items().stream()).map(Job::id).toList())
        .containsExactlyElementsOf(idsNewestFirst(inX));
  }

  @Test
  void cursorSurvivesChangesMadeBetweenPages() {
    List<Job> jobs = enqueueMany(9, i -> queued());
    List<JobId> expected = idsNewestFirst(jobs);

    Page<Job> first = store().list(JobQuery.all().limit(3));
    assertThat(first.items()).extracting(Job::id).containsExactlyElementsOf(expected.subList(0, 3));
    // The job the cursor names goes away, and newer jobs arrive: the walk goes on where it was.
    assertThat(store().delete(first.items().get(2).id())).isTrue();
    clock().advanceMillis(5);
    enqueueQueued();
    List<JobId> rest = new ArrayList<>();
    JobQuery q = JobQuery.all().limit(3).cursor(first.nextCursor());
    for (Page<Job> p = store().list(q); ; p = store().list(q.cursor(p.nextCursor()))) {
      p.items().forEach(j -> rest.add(j.id()));
      if (p.nextCursor() == null) {
        break;
      }
    }

    assertThat(rest).containsExactlyElementsOf(expected.subList(3, 9));
  }

  @Test
  void countsArePerQueueAndState() {
    enqueue(queued().queue("a").build());
    enqueue(queued().queue("a").build());
    enqueue(scheduled(Duration.ofMinutes(1)).queue("a").build());
    running(queued().queue("b").build(), WORKER);
    Job done = running(queued().queue("c").build(), WORKER);
    store().complete(List.of(Completion.succeeded(done.lease(), now(), "1")), now());
    store().cancel(enqueue(queued().queue("c").build()).id(), now());

    assertThat(nonZeroCounts())
        .isEqualTo(
            Map.of(
                "a", Map.of(JobState.QUEUED, 2L, JobState.SCHEDULED, 1L),
                "b", Map.of(JobState.RUNNING, 1L),
                "c", Map.of(JobState.SUCCEEDED, 1L, JobState.CANCELLED, 1L)));
    assertThat(store().counts().total(JobState.QUEUED)).isEqualTo(2);
    assertThat(store().counts().total(JobState.FAILED)).isZero();
  }

  @Test
  void countsFollowEveryChange() {
    Job job = enqueue(queued().queue("q").build());
    assertThat(nonZeroCounts()).isEqualTo(Map.of("q", Map.of(JobState.QUEUED, 1L)));

    Job running = claim(WORKER, 1).get(0);
    assertThat(nonZeroCounts())
        .as("claimed, not started")
        .isEqualTo(Map.of("q", Map.of(JobState.QUEUED, 1L)));
    store()
        .heartbeat(List.of(new Heartbeat(running.lease(), null, now())), now().plus(LEASE), now());
    assertThat(nonZeroCounts()).isEqualTo(Map.of("q", Map.of(JobState.RUNNING, 1L)));

    store()
        .complete(
            List.of(Completion.retry(running.lease(), now(), null, now().plusSeconds(1))), now());
    assertThat(nonZeroCounts()).isEqualTo(Map.of("q", Map.of(JobState.SCHEDULED, 1L)));

    store().cancel(job.id(), now());
    assertThat(nonZeroCounts()).isEqualTo(Map.of("q", Map.of(JobState.CANCELLED, 1L)));

    store().delete(job.id());
    assertThat(nonZeroCounts()).isEmpty();
  }

  @Test
  void emptyStoreCountsNothing() {
    assertThat(nonZeroCounts()).isEmpty();
    assertThat(store().counts().totals().values()).containsOnly(0L);
  }

  private interface BuilderFactory {
    JobBuilder make(int i);
  }

  private List<Job> enqueueMany(int n, BuilderFactory factory) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 4 == 0) {
        clock().advanceMillis(1);
      }
      jobs.add(enqueue(factory.make(i).build()));
    }
    return jobs;
  }

  private List<Page<Job>> walk(JobQuery query) {
    List<Page<Job>> pages = new ArrayList<>();
    JobQuery q = query;
    while (true) {
      Page<Job> page = store().list(q);
      pages.add(page);
      assertThat(pages.size()).as("listing terminates").isLessThan(1000);
      if (page.nextCursor() == null) {
        return pages;
      }
      q = q.cursor(page.nextCursor());
    }
  }

  private void assertIds(JobQuery query, Job... expected) {
    assertThat(store().list(query).items())
        .as("list %s", query)
        .extracting(Job::id)
        .containsExactlyElementsOf(idsNewestFirst(List.of(expected)));
  }

  private static List<JobId> idsNewestFirst(List<Job> jobs) {
    return jobs.stream().map(Job::id).sorted(Comparator.reverseOrder()).toList();
  }
}
