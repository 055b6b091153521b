package io.madetask.bridge.payout;

/** A payout's status: PENDING (to be made at MadeTask), PROCESSING (MadeTask accepted it), PAID or FAILED. Stored as its name (text) in the database. */
public enum PayoutStatus {
    PENDING, PROCESSING, PAID, FAILED
}
