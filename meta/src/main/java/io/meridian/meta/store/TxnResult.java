package io.meridian.meta.store;

/**
 * The outcome of a {@link MetaTxn}.
 *
 * @param succeeded whether the guards held and the ops were applied
 * @param revision the store revision after the transaction
 */
public record TxnResult(boolean succeeded, long revision) {}
