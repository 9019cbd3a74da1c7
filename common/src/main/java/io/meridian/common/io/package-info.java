/** Small file-system helpers shared by the roles, the launcher and the benchmarks. */
package io.meridian.common.io;
