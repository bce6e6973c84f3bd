# Scene 13: what touching pages costs, phase by phase; the viewer while
# every page is touched and both views are mapped.
. "$(dirname "$0")/lib.sh"

# The huge-page phase needs CAP_SYS_ADMIN; without it the program says so.
needs sys_admin run
start p run 'bin/13-page-faults' 13-page-faults
enter p
show stat 'awk '\''{ print "minflt", $10, "cminflt", $11 }'\'' /proc/$(pgrep -nu "$(id -un)" 13-page-faults)/stat'
enter p
needs sys_admin snap
snapshot snap
finish p
