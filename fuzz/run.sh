#!/usr/bin/env bash
# Fuzzes every @FuzzTest of the project, one target per Maven run, and writes fuzz/results/<date>.md
# (fuzz/results/<date>-<filter>.md for a run of some targets only).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [FILTER]
#
# SECONDS_PER_TARGET  fuzzing time of each target (default 60); Maven's start and the replay of the corpus come on top
# FILTER              only the targets whose "module class#method" contains this text (default: all)
#
# Environment:
#   MVN                 the Maven command (default "mvn"), e.g. a wrapper that serialises builds sharing ~/.m2
#   FUZZ_KEEP_FILES     corpus files copied into each replay corpus (default 50)
#
# For each target: the corpus Jazzer generated in earlier runs (kept in fuzz/work/, outside git) is put back where
# Jazzer looks for it (<module>/.cifuzz-corpus/<class>/<method>), the target is fuzzed with JAZZER_FUZZ=1, the
# figures are taken from libFuzzer's log, inputs that failed (crash-*, timeout-*, ...) are moved from the replay
# corpus to fuzz/findings/ (so that `mvn verify` stays green until they are fixed), and a bounded sample of the
# generated corpus (files of at most 4 KiB, spread over their sizes) replaces the previous sample, named fuzz-*,
# in the replay corpus src/test/resources/<package>/<Class>Inputs/<method>/. The seeds there are never touched.
set -uo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
FILTER=${2:-}
MVN=${MVN:-mvn}
KEEP=${FUZZ_KEEP_FILES:-50}
WORK=fuzz/work
DATE=$(date -u +%Y-%m-%d)
RESULTS=fuzz/results/$DATE${FILTER:+-$(echo "$FILTER" | tr -c "A-Za-z0-9\n" -)}.md
mkdir -p "$WORK/logs" "$WORK/corpus" fuzz/results fuzz/findings

# module | test class | method | classes to instrument for coverage | more Jazzer options
# The DoH and balancer targets run their own servers and connect to them over the loopback address on purpose:
# Jazzer's detector of server-side request forgery would report every such connection, so it is off for them.
NO_SSRF="-Djazzer.disabled_hooks=com.code_intelligence.jazzer.sanitizers.ServerSideRequestForgery"
TARGETS=(
  "http-codec|org.foobarstack.httpcodec.parser.HttpRequestParserFuzzTest|requestParser|org.foobarstack.**"
  "fastcgi|org.foobarstack.fastcgi.FastCgiRecordFuzzTest|recordDecoder|org.foobarstack.**"
  "fastcgi|org.foobarstack.fastcgi.FastCgiRecordFuzzTest|nameValuePairs|org.foobarstack.**"
  "fastcgi|org.foobarstack.fastcgi.client.FastCgiClientFuzzTest|responseFromResponder|org.foobarstack.**"
  "app-server|org.foobarstack.app.fastcgi.FastCgiResponderFuzzTest|requestsFromWebServer|org.foobarstack.**"
  "dns-server|org.foobarstack.dns.DnsQueryFuzzTest|queryToAnswer|org.foobarstack.**:org.xbill.DNS.**"
  "doh|org.foobarstack.doh.DohEndpointFuzzTest|dnsQuery|org.foobarstack.**:org.xbill.DNS.**|$NO_SSRF"
  "topology|org.foobarstack.topology.TopologyLoaderFuzzTest|anyText|org.foobarstack.**:org.yaml.snakeyaml.**:com.fasterxml.jackson.dataformat.yaml.**"
  "load-balancer|org.foobarstack.lb.http.BackendResponseFuzzTest|serverAnswers|org.foobarstack.**|$NO_SSRF"
)

rows=()
details=()
total_runs=0
total_seconds=0
open_findings=0

for target in "${TARGETS[@]}"; do
  IFS='|' read -r module class method includes options <<<"$target"
  if [[ -n "$FILTER" && "$module $class#$method" != *"$FILTER"* ]]; then
    continue
  fi
  simple=${class##*.}
  package_dir=$(echo "${class%.*}" | tr . /)
  inputs="$module/src/test/resources/$package_dir/${simple}Inputs/$method"
  generated="$module/.cifuzz-corpus/$class/$method"
  store="$WORK/corpus/$class/$method"
  log="$WORK/logs/$simple-$method.log"
  mkdir -p "$inputs" "$(dirname "$generated")"
  rm -rf "$generated"
  if [[ -d "$store" ]]; then
    mv "$store" "$generated"
  fi

  cmd=(-o -pl "$module" test "-Dtest=$class#$method" -Dsurefire.failIfNoSpecifiedTests=false
       "-Djazzer.instrumentation_includes=$includes"
       -Djazzer.internal.arg.0=fuzz "-Djazzer.internal.arg.1=-max_total_time=$SECONDS_PER_TARGET"
       -Djunit.jupiter.execution.timeout.mode=disabled ${options:+"$options"})
  echo "== $module $simple#$method: fuzzing for $SECONDS_PER_TARGET s (log: $log)"
  started=$(date +%s)
  # shellcheck disable=SC2086
  JAZZER_FUZZ=1 $MVN "${cmd[@]}" >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - started ))

  # libFuzzer's figures: "Done N runs in S second(s)", and its last status line ("#N ... cov: C ft: F corp: K/B")
  runs=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2}')
  fuzz_seconds=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $5}')
  last=$(grep -aE '^#[0-9]+' "$log" | grep -a 'cov:' | tail -1)
  if [[ -z "$runs" ]]; then
    runs=$(echo "$last" | grep -oE '^#[0-9]+' | tr -d '#')
  fi
  runs=${runs:-0}
  fuzz_seconds=${fuzz_seconds:-$SECONDS_PER_TARGET}
  cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | awk '{print $2}')
  ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | awk '{print $2}')
  corp=$(echo "$last" | grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | awk '{print $2}')
  execs_per_second=$(( fuzz_seconds > 0 ? runs / fuzz_seconds : runs ))
  total_runs=$(( total_runs + runs ))
  total_seconds=$(( total_seconds + fuzz_seconds ))

  # inputs that failed: out of the replay corpus, into fuzz/findings
  found=()
  for f in "$inputs"/crash-* "$inputs"/timeout-* "$inputs"/slow-unit-* "$inputs"/leak-* "$inputs"/oom-*; do
    [[ -e "$f" ]] || continue
    mkdir -p "fuzz/findings/$simple-$method"
    mv "$f" "fuzz/findings/$simple-$method/"
    found+=("fuzz/findings/$simple-$method/$(basename "$f")")
  done
  reason=""
  if (( status != 0 )); then
    reason=$(grep -aE '^(Caused by|java\.lang\.[A-Za-z]*(Error|Exception)|== Java Exception)' "$log" | head -1 | cut -c1-200)
    if (( ${#found[@]} == 0 )); then
      found+=("Maven exited with $status, no input saved (see the log)")
    fi
  fi
  open_findings=$(( open_findings + ${#found[@]} ))

  # a bounded sample of the generated corpus into the replay corpus, spread over the file sizes
  rm -f "$inputs"/fuzz-*
  kept=0
  if [[ -d "$generated" ]]; then
    mapfile -t files < <(find "$generated" -type f -size -4097c -size +0c -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
    n=${#files[@]}
    if (( n > 0 )); then
      picks=$(( n < KEEP ? n : KEEP ))
      declare -A taken=()
      for (( i = 0; i < picks; i++ )); do
        index=$(( picks == 1 ? 0 : i * (n - 1) / (picks - 1) ))
        [[ -n "${taken[$index]:-}" ]] && continue
        taken[$index]=1
        f=${files[$index]}
        cp "$f" "$inputs/fuzz-$(sha1sum "$f" | cut -c1-12)"
        kept=$(( kept + 1 ))
      done
      unset taken
    fi
    mkdir -p "$(dirname "$store")"
    mv "$generated" "$store"
  fi
  rmdir -p "$(dirname "$generated")" 2>/dev/null || true
  # the build's copy of the replay corpus keeps files deleted from the sources; the next build copies it afresh
  rm -rf "$module/target/test-classes/$package_dir/${simple}Inputs/$method"
  corpus_files=$(find "$store" -type f 2>/dev/null | wc -l)

  result=$([[ $status -eq 0 ]] && echo "passed" || echo "FAILED")
  findings_text=$([[ ${#found[@]} -eq 0 ]] && echo "none" || printf '%s; ' "${found[@]}")
  rows+=("| \`$simple#$method\` | $runs | ${fuzz_seconds} s (${elapsed} s with Maven) | $execs_per_second | ${cov:-?} | ${ft:-?} | $corpus_files | $kept | $result | $findings_text |")
  details+=("### \`$class#$method\` ($module)"
            ""
            "\`\`\`"
            "JAZZER_FUZZ=1 mvn ${cmd[*]}"
            "\`\`\`"
            ""
            "Last status line: \`${last:-none}\`")
  if [[ -n "$reason" ]]; then
    details+=("" "First error: \`$reason\`")
  fi
  details+=("")
  echo "   $runs runs in $fuzz_seconds s, cov $cov, ft $ft, corpus $corpus_files, $kept kept for replay: $result"
done

{
  echo "# Fuzzing run of $DATE"
  echo
  echo "\`fuzz/run.sh $SECONDS_PER_TARGET${FILTER:+ $FILTER}\` on $(nproc) cores ($(uname -sr)), Jazzer $(grep -o '<jazzer.version>[^<]*' pom.xml | cut -d'>' -f2), $(java -version 2>&1 | head -1)."
  echo
  echo "Runs, time, cov and ft are libFuzzer's: cov counts the edges of instrumented code reached, ft its"
  echo "\"features\" (edges with hit counts, compared values). Corpus: files in the generated corpus after the run;"
  echo "replay: files of it kept in the replay corpus (fuzz-*) beside the seeds."
  echo
  echo "| Target | Runs | Time | Runs/s | cov | ft | Corpus | Replay | Result | Findings |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Total: $total_runs runs in $total_seconds s of fuzzing; $open_findings new failing input(s)."
  echo
  echo "## Commands"
  echo
  printf '%s\n' "${details[@]}"
} >"$RESULTS"
echo "Total: $total_runs runs in $total_seconds s; results in $RESULTS"
