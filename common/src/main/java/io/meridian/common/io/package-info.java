/** Small file-system and loopback-port helpers shared by the roles, the launcher, the benchmarks and the tests. */
package io.meridian.common.io;
