package io.moderato.jobs.testing;

/** One record as a read_committed consumer saw it: where it was, its key (UTF-8, may be null) and its decoded value. */
public record Committed<T>(int partition, long offset, String key, T value) {}
