# Sourced by ./shovel and ./run-tests: sets JAVA to a JDK 25+ java, from JAVA_HOME or /usr/lib/jvm/*25*.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
JAVA=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 25 ] 2>/dev/null; then
  JAVA="$JAVA_HOME/bin/java"
else
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*-2[5-9]* /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    if [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ]; then JAVA="$d/bin/java"; export JAVA_HOME="$d"; break; fi
  done
fi
if [ -z "$JAVA" ]; then
  echo "shovel: JDK 25 not found. Install a JDK 25 (e.g. Temurin 25) and set JAVA_HOME to it;" \
       "JAVA_HOME=${JAVA_HOME:-<unset>} is not a JDK 25 and no /usr/lib/jvm/*25* exists." >&2
  exit 1
fi
