# Sourced by the benchmarks that run bin/rnn: unsets the OpenBLAS presets this machine's environment
# has (a user's machine has none), so bin/rnn picks the kernels the CPU supports, and sets $kernels
# to the name of those kernels for the benchmark's JSON line.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true) "
case "$flags" in
  *" avx512f "*) kernels=SkylakeX ;;
  *" avx2 "*) kernels=Haswell ;;
  *) kernels="OpenBLAS default" ;;
esac
