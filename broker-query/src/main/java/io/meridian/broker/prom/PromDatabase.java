package io.meridian.broker.prom;

import io.meridian.broker.http.ApiRequest;
import io.meridian.common.error.InvalidInputException;

/** The database a Prometheus request addresses: {@code ?db=}, else {@code broker.prometheus.database}. */
final class PromDatabase {
    private PromDatabase() {}

    static String of(ApiRequest req, String configured) {
        String db = req.param("db");
        if (db != null && !db.isEmpty()) {
            return db;
        }
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        throw new InvalidInputException("missing database [parameter=db, path=" + req.path() + "]: add ?db=NAME to"
                + " the remote_write/remote_read url, or set broker.prometheus.database");
    }
}
