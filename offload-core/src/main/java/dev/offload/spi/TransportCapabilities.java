package dev.offload.spi;

/**
 * What a transport promises beyond the common contract; the transport contract suite checks each
 * promise made and checks that nothing is lost where one is not made.
 *
 * @param priorities a higher {@link JobMessage#priority()} waiting in a queue is delivered before a
 *     lower one
 * @param fifo one consumer receives a queue's messages of one priority in publish order
 * @param deduplication the broker drops a second publish of the same job id (within its window)
 * @param countsCrashRedeliveries {@link Delivery#deliveryCount()} also counts deliveries whose
 *     consumer died without settling them (else only nacks count)
 * @param ackTimeout an unsettled delivery goes to another consumer after the transport's ack
 *     timeout even while its consumer lives ({@link Delivery#inProgress()} restarts that timer)
 */
public record TransportCapabilities(
    boolean priorities,
    boolean fifo,
    boolean deduplication,
    boolean countsCrashRedeliveries,
    boolean ackTimeout) {}
