package org.retracker.protocol;

/**
 * Counts for each info hash of a {@link ScrapeRequest}, in the same order: seeders ({@code
 * complete}), leechers ({@code incomplete}) and completed downloads ({@code downloaded}).
 */
public final class ScrapeResponse {
    public final int[] complete;
    public final int[] incomplete;
    public final int[] downloaded;

    public ScrapeResponse(int maxHashes) {
        complete = new int[maxHashes];
        incomplete = new int[maxHashes];
        downloaded = new int[maxHashes];
    }
}
