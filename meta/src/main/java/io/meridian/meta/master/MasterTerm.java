package io.meridian.meta.master;

import io.meridian.meta.store.Guard;

/**
 * One tenure of one master.
 *
 * @param nodeId the master broker
 * @param masterKey the election key
 * @param revision the create revision of the election key written by this master: the fencing token
 * @param lease the lease the key is bound to
 */
public record MasterTerm(String nodeId, String masterKey, long revision, long lease) {
    /** The guard every write of this master carries. */
    public Guard fence() {
        return Guard.createRevision(masterKey, revision);
    }
}
