package dev.offload;

/** No job has this id (never submitted, or purged after its retention). */
public class JobNotFoundException extends OffloadException {
  private final JobId id;

  public JobNotFoundException(JobId id) {
    super("no job " + id);
    this.id = id;
  }

  public JobId id() {
    return id;
  }
}
