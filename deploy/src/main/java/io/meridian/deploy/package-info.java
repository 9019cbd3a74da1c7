/** The launchers: standalone mode (every role in one process group, data under one directory). */
package io.meridian.deploy;
