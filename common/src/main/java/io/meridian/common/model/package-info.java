/**
 * The data model shared by every module: names, series keys and their stable hash, field types and
 * their mergeable partial aggregates ({@link io.meridian.common.model.AggState}), intervals and
 * database options (ARCHITECTURE §2).
 */
package io.meridian.common.model;
