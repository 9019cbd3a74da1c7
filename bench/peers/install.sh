#!/usr/bin/env bash
# Installs the peers: VictoriaMetrics and InfluxDB 1.x from Debian's packages (their system services are kept from
# starting: the scripts run them by hand on 127.0.0.1), QuestDB from Maven Central into ~/.m2.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! dpkg-query -W victoria-metrics influxdb > /dev/null 2>&1; then
    apt-get update -q
    apt-cache policy victoria-metrics influxdb
    # policy-rc.d (only for the install) stops the packages' init scripts from starting services on 0.0.0.0.
    created=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q victoria-metrics influxdb influxdb-client || rc=$?
    ((created)) && rm -f /usr/sbin/policy-rc.d
    ((${rc:-0} == 0)) || exit "$rc"
fi
command -v jq > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q jq

if [[ ! -f $HOME/.m2/repository/org/questdb/questdb/$QUESTDB_VERSION/questdb-$QUESTDB_VERSION.jar ]]; then
    mvn -B -q dependency:get -Dartifact="org.questdb:questdb:$QUESTDB_VERSION" -Dtransitive=false
fi

echo "victoria-metrics $(dpkg-query -W -f '${Version}' victoria-metrics)"
echo "influxdb $(dpkg-query -W -f '${Version}' influxdb)"
echo "questdb $QUESTDB_VERSION ($HOME/.m2/repository/org/questdb/questdb/$QUESTDB_VERSION/questdb-$QUESTDB_VERSION.jar)"
java -version 2>&1 | head -1
