package io.meridian.meta.model;

/**
 * A storage cluster: a group of storage nodes in one IDC.
 *
 * @param name the cluster name
 * @param idc the data centre it lives in
 */
public record StorageCluster(String name, String idc) {
    public StorageCluster {
        Checks.name("cluster", name);
        Checks.name("idc", idc);
    }
}
