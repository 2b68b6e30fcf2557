package org.retracker.it;

/** One info hash of a scrape reply (BEP 48 / BEP 15 share the three numbers). */
record ScrapeCounts(int seeders, int downloaded, int leechers) {}
