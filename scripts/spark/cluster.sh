# Shared by scripts/spark-cluster-check.sh and scripts/bench-spark.sh (source it, do not run it):
# a standalone Spark cluster of separate JVMs on this machine, everything on 127.0.0.1, built from
# Maven jars alone (Spark 4 on Java 17), and the rnn driver submitted to it.
#
#   spark_build           mvn -Pspark package (target/rnn-spark.jar), and target/spark-home/jars from
#                         scripts/spark/pom.xml (Spark and its libraries, from Maven)
#   spark_start WORKERS   a Master and WORKERS Workers (1 core, SPARK_WORKER_MEMORY each), each its own JVM
#   spark_train ARGS...   execs `rnn-spark train ARGS... --master URL` as a driver JVM in client mode
#                         (the Spark jars first on its class path, then target/rnn-spark.jar)
#   spark_executors       the PIDs of the executor JVMs the workers started
#   spark_stop            kills every process started here, by PID (the trap of the sourcing script)
# Needs: root (the checkout), work (a scratch directory) set by the caller.

spark_home="$root/target/spark-home"
spark_port="${SPARK_MASTER_PORT:-17077}"
spark_master="spark://127.0.0.1:$spark_port"
spark_pids=()
spark_worker_pids=()
# The --add-opens flags Spark's own launch scripts pass on Java 17.
spark_opens=(-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED)

# OpenBLAS kernels for this CPU, as bin/rnn picks them; executors get them through spark.executorEnv.
spark_coretype=""
if [ -r /proc/cpuinfo ]; then
  case " $(grep -m1 '^flags' /proc/cpuinfo) " in
    *" avx512f "*) spark_coretype=SkylakeX ;;
    *" avx2 "*) spark_coretype=Haswell ;;
  esac
fi

spark_build() {
  (cd "$root" && mvn -q -B -ntp -Pspark package -DskipTests)
  # Refilled when scripts/spark/pom.xml changed since (a stale jars/ kept the Jackson mismatch).
  if [ ! -d "$spark_home/jars" ] || [ -z "$(ls -A "$spark_home/jars" 2>/dev/null)" ] \
      || [ "$root/scripts/spark/pom.xml" -nt "$spark_home/jars" ]; then
    rm -rf "$spark_home/jars"
    mvn -q -B -ntp -f "$root/scripts/spark/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$spark_home/jars"
  fi
}

# Waits until a line matching $2 appears in file $1, for at most $3 seconds.
spark_wait_for() {
  local file="$1" pattern="$2" limit="$3" waited=0
  until grep -q "$pattern" "$file" 2>/dev/null; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then
      echo "timed out after ${limit}s waiting for '$pattern' in $file" >&2
      return 1
    fi
  done
}

spark_start() {
  local workers="$1" i
  java "${spark_opens[@]}" -cp "$spark_home/jars/*" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$spark_port" --webui-port $((spark_port + 1)) >"$work/master.log" 2>&1 &
  spark_pids+=($!)
  spark_wait_for "$work/master.log" "I have been elected leader" 60
  for i in $(seq 1 "$workers"); do
    mkdir -p "$work/worker$i"
    SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 \
      java "${spark_opens[@]}" -cp "$spark_home/jars/*" org.apache.spark.deploy.worker.Worker "$spark_master" \
      --host 127.0.0.1 --cores 1 --memory "${SPARK_WORKER_MEMORY:-2g}" --webui-port $((spark_port + 1 + i)) \
      --work-dir "$work/worker$i" >"$work/worker$i.log" 2>&1 &
    spark_pids+=($!)
    spark_worker_pids+=($!)
    spark_wait_for "$work/worker$i.log" "Successfully registered with master" 60
  done
}

# Execs java: call it in a subshell, "(spark_train ...)", or in the background, where $! is then
# the driver JVM's own PID.
spark_train() {
  local opens="${spark_opens[*]}"
  export SPARK_LOCAL_IP=127.0.0.1
  exec java "${spark_opens[@]}" -Xmx2g \
    -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
    -Dspark.jars="$root/target/rnn-spark.jar" \
    -Dspark.executor.memory=1200m \
    -Dspark.executor.extraJavaOptions="$opens --add-modules=jdk.incubator.vector" \
    -Dspark.executorEnv.OPENBLAS_CORETYPE="$spark_coretype" \
    -Dspark.executorEnv.OMP_NUM_THREADS=1 -Dspark.executorEnv.OPENBLAS_NUM_THREADS=1 \
    -cp "$spark_home/jars/*:$root/target/rnn-spark.jar" rnn.cli.ClusterMain train "$@" --master "$spark_master"
}

spark_executors() {
  local pid
  for pid in "${spark_worker_pids[@]}"; do
    pgrep -P "$pid" || true
  done
}

spark_stop() {
  local pid child
  for pid in "${spark_worker_pids[@]}"; do
    for child in $(pgrep -P "$pid" 2>/dev/null); do
      kill -9 "$child" 2>/dev/null || true
    done
  done
  for pid in "${spark_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  sleep 1
  for pid in "${spark_pids[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  spark_pids=()
  spark_worker_pids=()
}
