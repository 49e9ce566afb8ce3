package dev.offload;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items this page's entries
 * @param nextCursor pass to the next query for the following page; {@code null} on the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
