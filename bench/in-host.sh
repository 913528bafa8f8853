#!/bin/sh
# The benchmarks, run by busybox sh INSIDE the emulated arm64 host (or on a real arm64 host:
# PAYLOAD=dir sh bench/in-host.sh). Prints "bench <section> key=value ..." lines and the
# "bench command ..." that produced them; bench/run.sh turns them into bench/results/.
# Nothing here judges a figure: a run fails only if a benchmark could not run at all.
# $PAYLOAD holds lvmm, launch-timed, kick-steps, block-io, the guests, Image,
# guest-initrd.cpio.gz, bench-initrd.cpio.gz and bench-env.

PAYLOAD=${PAYLOAD:-/payload}
LVMM="$PAYLOAD/lvmm"
IMAGE="$PAYLOAD/Image"
INITRD="$PAYLOAD/guest-initrd.cpio.gz"          # busybox and the test init
BENCH_INITRD="$PAYLOAD/bench-initrd.cpio.gz"    # the same plus guest/workloads
G="$PAYLOAD/guests"
OUT=/tmp/bench.out
ERR=/tmp/bench.err
[ -f "$PAYLOAD/bench-env" ] && . "$PAYLOAD/bench-env"
# Sizes: bench/run.sh writes the full or the smoke set into bench-env; these are the full ones.
EXIT_ITERATIONS=${EXIT_ITERATIONS:-65536}
EXIT_RUNS=${EXIT_RUNS:-3}
KICK_ROUNDS=${KICK_ROUNDS:-512}
KICK_STEP_ITERATIONS=${KICK_STEP_ITERATIONS:-20000}
STARTUP_RUNS=${STARTUP_RUNS:-10}
BOOT_RUNS=${BOOT_RUNS:-5}
AB_RUNS=${AB_RUNS:-20}
# Workload sizes per scenario (kernel command-line words, guest/linux-init/init): the same work
# takes several times longer with twice the vCPUs, and again with the host loaded.
AB_PARAMS_S1=${AB_PARAMS_S1:-}
AB_PARAMS_S2=${AB_PARAMS_S2:-}
AB_PARAMS_S2_LOADED=${AB_PARAMS_S2_LOADED:-}
AB_SCENARIOS=${AB_SCENARIOS:-s1 s2 s2-loaded}
# The devices section: rounds, the disk image's size, the bytes of each sequential (1 MiB) and
# random (4 KiB) block-io run, the KiB each console copies, and the MiB of the host's limit.
DEV_RUNS=${DEV_RUNS:-5}
DEV_DISK_MIB=${DEV_DISK_MIB:-256}
DEV_SEQ_BYTES=${DEV_SEQ_BYTES:-134217728}
DEV_RAND_BYTES=${DEV_RAND_BYTES:-8388608}
DEV_FLOOD_KB_SERIAL=${DEV_FLOOD_KB_SERIAL:-32}
DEV_FLOOD_KB_VIRTIO=${DEV_FLOOD_KB_VIRTIO:-256}
DEV_LIMIT_MIB=${DEV_LIMIT_MIB:-64}
# Which of the six sections run: all in a normal run; "ab" alone when bench/run.sh --resume
# completes the A/B scenarios an earlier, cut-off session did not finish (devices runs before
# the A/B, so a resumed run keeps the first session's figures).
BENCH_SECTIONS=${BENCH_SECTIONS:-exit kick cost devices sandbox ab}
# The sandbox section: rounds of lvmm sandbox -- true against lvmm run of a guest that powers off
# (and of one that runs true from its initramfs first).
SANDBOX_RUNS=${SANDBOX_RUNS:-40}
SANDBOX_TRACE_RUNS=${SANDBOX_TRACE_RUNS:-5}
failures=0
wanted() { case " $BENCH_SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

say() { echo "bench $*"; }
# run_logged TIMEOUT ARGS...: one benchmark command, recorded for the report.
run_logged() {
	t=$1; shift
	say "command $*"
	timeout "$t" "$@" </dev/null >"$OUT" 2>"$ERR"
	STATUS=$?
	if [ "$STATUS" != 0 ]; then
		failures=$((failures + 1))
		say "failed status=$STATUS command=$*"
		tail -n 5 "$OUT" "$ERR" | sed 's/^/# /'
	fi
	return $STATUS
}
reports() { tr -d '\r' < "$OUT" | sed -n 's/^report //p'; }

say "info host_kernel=$(uname -r) host_cpus=$(nproc) lvmm=$("$LVMM" --version | cut -d' ' -f2) mode=${BENCH_MODE:-full}"
say "info lvmm_binary_bytes=$(wc -c < "$LVMM")"
# Which sections this run measures: a report of some alone points to the tree's runs of the others.
say "info sections=$(echo $BENCH_SECTIONS | tr ' ' ,)"

# --- 1. exit costs (guest/tests/exit_costs.c) ---------------------------------------------
if wanted exit; then
run=1
while [ $run -le "$EXIT_RUNS" ]; do
	if run_logged 900 "$LVMM" run --test-device -k "$G/exit_costs.img" --pvsched --pmu -p "iterations=$EXIT_ITERATIONS"; then
		reports | sed "s/^/bench exit run=$run /"
	fi
	run=$((run + 1))
done
fi

# --- 2. kick latency (guest/tests/pvsched_wake.c) and what each step of the kick costs ------
# lvmm counts kicks after injecting them, so --pvsched-stats costs the kick nothing.
if wanted kick; then
# Each vCPU on its own host CPU (--vcpu-affinity), so every wake-up crosses CPUs, as an SGI
# between two busy physical CPUs would.
if run_logged 900 "$LVMM" run --test-device -k "$G/pvsched_wake.img" -c 2 --vcpu-affinity 0:0 --vcpu-affinity 1:1 \
	--pvsched --pvsched-stats -p "rounds=$KICK_ROUNDS"; then
	reports | sed 's/^/bench kick /'
	grep '^  vcpu [0-9]*:' "$ERR" | sed 's/^  /bench kick-stats /'
fi
if run_logged 300 "$PAYLOAD/kick-steps" "$KICK_STEP_ITERATIONS"; then
	sed -n 's/^kick-steps /bench kick-steps /p' "$OUT"
fi
fi

# --- 3. VMM cost ----------------------------------------------------------------------------
if wanted cost; then
# launch_times: from the last launch-timed run, exec_ns, exit_ns (launch-timed's clock) and
# run_ns (lvmm's first KVM_RUN, same clock); fails, and says so, if any is missing.
launch_times() {
	exec_ns=$(sed -n 's/^launch-timed: exec at CLOCK_MONOTONIC \([0-9]*\) ns$/\1/p' "$ERR")
	exit_ns=$(sed -n 's/^launch-timed: exit at CLOCK_MONOTONIC \([0-9]*\) ns$/\1/p' "$ERR")
	run_ns=$(sed -n 's/.*first KVM_RUN at CLOCK_MONOTONIC \([0-9]*\) ns.*/\1/p' "$ERR")
	[ -n "$exec_ns" ] && [ -n "$exit_ns" ] && [ -n "$run_ns" ] && return 0
	failures=$((failures + 1))
	say "failed no exec, exit or first-KVM_RUN time in the output"
	return 1
}
# exec to first KVM_RUN and total wall time, for a guest that powers off at once...
run=1
while [ $run -le "$STARTUP_RUNS" ]; do
	if run_logged 60 "$PAYLOAD/launch-timed" "$LVMM" run --test-device --loglevel info -k "$G/poweroff.img" &&
	   launch_times; then
		say "startup run=$run guest=poweroff exec_to_first_run_ns=$((run_ns - exec_ns)) exec_to_exit_ns=$((exit_ns - exec_ns))"
	fi
	run=$((run + 1))
done
# ...and for the minimal Linux kernel, with the time to its /init (the doorbell marker).
for cpus in 1 4; do
	run=1
	while [ $run -le "$BOOT_RUNS" ]; do
		if run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" run --test-device --loglevel info -k "$IMAGE" -i "$INITRD" -c $cpus -m 256 -p quiet &&
		   launch_times; then
			init_s=$(sed -n 's/.*guest marker 1 at \([0-9.]*\) s.*/\1/p' "$ERR")
			say "boot run=$run cpus=$cpus exec_to_first_run_ns=$((run_ns - exec_ns)) start_to_init_s=$init_s"
		fi
		run=$((run + 1))
	done
done
# RSS outside guest RAM, sampled while a Linux guest runs: every smaps mapping except the one
# whose size is the -m given.
say "command $LVMM run -k $IMAGE -i $INITRD -m 256 -p 'quiet lvmm.action=sleep' (smaps sampled at 4, 6, 8 s)"
"$LVMM" run -k "$IMAGE" -i "$INITRD" -m 256 -p "quiet lvmm.action=sleep" </dev/null >"$OUT" 2>"$ERR" &
pid=$!
for at in 4 6 8; do
	sleep 2
	[ $at = 4 ] && sleep 2
	rss=$(awk '/^Size:/ { skip = ($2 == 262144) } /^Rss:/ && !skip { sum += $2 } END { print sum }' \
		/proc/$pid/smaps 2>/dev/null)
	[ -n "$rss" ] && say "rss at_s=$at rss_kib_excluding_guest_ram=$rss"
done
wait $pid
fi

# --- devices (the report's section 5): virtio-blk against its image, and the console --------
# It runs before the A/B, so that a run bench/run.sh --resume completes keeps its figures.
# Block: block-io (guest/workloads/block_io.c) runs the same eight commands (four kinds of I/O,
# each with 1 and with 4 requests in flight) in a guest against
# its virtio-blk disk (/dev/vda, O_DIRECT, lvmm.action=block-bench) and here, directly, on the
# disk's image file (O_DIRECT where this filesystem takes it: the limit lvmm can approach).
# Host and guest take turns, the first of them alternating by round.
# Console: a guest copies the same lines to its console, the 8250 UART or virtio-console,
# between doorbell markers that lvmm timestamps, once with an empty file (the commands' own
# cost) and once with the lines (lvmm.action=console-bench); the limit is this host's cat of
# the same lines, repeated to DEV_LIMIT_MIB, into the same kind of stdout (a tmpfs file),
# timed by launch-timed, also minus an empty file's.
if wanted devices; then
DISK=/tmp/bench-disk.img
FLOOD=/tmp/bench-flood.txt
EMPTY=/tmp/bench-empty.txt
BLOCK_IO="$PAYLOAD/block-io"
dev_block_host() { # RUN: the eight block-io commands on the image file
	for depth in 1 4; do
		for mode in seqread seqwrite randread randwrite; do
			case $mode in
			seq*) block=1048576 bytes=$DEV_SEQ_BYTES ;;
			*) block=4096 bytes=$DEV_RAND_BYTES ;;
			esac
			if run_logged 600 "$BLOCK_IO" -f "$DISK" -m $mode -b $block -s "$bytes" -q $depth $host_direct; then
				sed -n "s/^blockio: /bench devices-block side=host run=$1 /p" "$OUT"
			fi
		done
	done
}
# lvmm's own figures for a boot's disk (--loglevel debug, hw/virtio_blk.c), as key=value pairs.
LVMM_BLOCK_LINE='s/.*: \([0-9]*\) requests .* in \([0-9]*\) batches; per request \([0-9.]*\) ms in lvmm.s I\/O threads*, \([0-9.]*\) ms of it the file.s I\/O; per batch \([0-9.]*\) ms raising the interrupt.*/requests=\1 batches=\2 thread_ms=\3 file_ms=\4 interrupt_ms=\5/p'
dev_block_guest() { # RUN: a boot per kind of I/O against /dev/vda, lvmm saying its share of it
	for depth in 1 4; do
		for mode in seqread seqwrite randread randwrite; do
			if run_logged 900 "$LVMM" run --loglevel debug -k "$IMAGE" -i "$BENCH_INITRD" -c 1 -m 256 -d "$DISK" \
				-p "quiet lvmm.action=block-bench lvmm.block_kinds=$mode:$depth lvmm.block_seq_bytes=$DEV_SEQ_BYTES lvmm.block_rand_bytes=$DEV_RAND_BYTES"; then
				tr -d '\r' < "$OUT" | sed -n "s/^LVMM-BENCH: block blockio: /bench devices-block side=guest run=$1 /p"
				disk_line=$(grep "virtio-blk '$DISK'" "$ERR")
				lvmm_figures=$(echo "$disk_line" | sed -n "$LVMM_BLOCK_LINE")
				segments=$(echo "$disk_line" | sed -n 's/.*; per read or write \([0-9.]*\) data segments.*/\1/p')
				[ -n "$lvmm_figures" ] && [ -n "$segments" ] && lvmm_figures="$lvmm_figures segments=$segments"
				in_service=$(echo "$disk_line" | sed -n 's/.*; at most \([0-9]*\) requests in service at once, by \([0-9]*\) workers.*/in_service_max=\1 workers=\2/p')
				[ -n "$lvmm_figures" ] && [ -n "$in_service" ] && lvmm_figures="$lvmm_figures $in_service"
				[ -n "$lvmm_figures" ] && say "devices-block-lvmm run=$1 mode=$mode depth=$depth $lvmm_figures"
				if tr -d '\r' < "$OUT" | grep -q '^LVMM-BENCH: block FAILED'; then
					failures=$((failures + 1))
					tr -d '\r' < "$OUT" | sed -n 's/^LVMM-BENCH: block FAILED /bench failed devices guest block-io /p'
				fi
			fi
		done
	done
}
# The time lvmm logged for doorbell marker N, in seconds since it started.
marker_s() { sed -n "s/.*guest marker $1 at \([0-9.]*\) s.*/\1/p" "$ERR" | head -n 1; }
launch_s() { # the run time launch-timed saw, in seconds
	awk '/^launch-timed: exec at/ { e = $5 } /^launch-timed: exit at/ { x = $5 }
		END { if (e && x) printf "%.6f", (x - e) / 1e9 }' "$ERR"
}
flood_lines() { tr -d '\r' < "$OUT" | grep -c '^LVMM-FLOOD '; }
dev_console_guest() { # RUN serial|virtio
	kb=$DEV_FLOOD_KB_SERIAL flag=
	[ "$2" = virtio ] && kb=$DEV_FLOOD_KB_VIRTIO flag="--console virtio"
	if run_logged 900 "$LVMM" run --test-device --loglevel info $flag -k "$IMAGE" -i "$INITRD" -c 1 -m 256 \
		-p "quiet lvmm.action=console-bench lvmm.flood_kb=$kb"; then
		m2=$(marker_s 2) m3=$(marker_s 3) m4=$(marker_s 4) m5=$(marker_s 5)
		if [ -n "$m2" ] && [ -n "$m3" ] && [ -n "$m4" ] && [ -n "$m5" ]; then
			say "devices-console console=$2 run=$1 bytes=$((kb * 1024)) lines=$(flood_lines) expected_lines=$((kb * 16))" \
				"empty_s=$(awk "BEGIN { printf \"%.6f\", $m3 - $m2 }") flood_s=$(awk "BEGIN { printf \"%.6f\", $m5 - $m4 }")"
		else
			failures=$((failures + 1))
			say "failed devices console=$2: no doorbell markers 2 to 5 in lvmm's log"
		fi
	fi
}
dev_console_host() { # RUN
	run_logged 60 "$PAYLOAD/launch-timed" cat "$EMPTY" && empty_s=$(launch_s) || empty_s=
	run_logged 120 "$PAYLOAD/launch-timed" cat "$FLOOD" && flood_s=$(launch_s) || flood_s=
	[ -n "$empty_s" ] && [ -n "$flood_s" ] &&
		say "devices-console console=host run=$1 bytes=$flood_bytes lines=$(flood_lines)" \
			"expected_lines=$((flood_bytes / 64)) empty_s=$empty_s flood_s=$flood_s"
}
say "command dd if=/dev/zero of=$DISK bs=1048576 count=$DEV_DISK_MIB"
dd if=/dev/zero of="$DISK" bs=1048576 count="$DEV_DISK_MIB" 2>/dev/null
# O_DIRECT on the image where its filesystem takes it (tmpfs does since Linux 6.6).
if "$BLOCK_IO" -f "$DISK" -m seqread -b 4096 -s 4096 -d >/dev/null 2>"$ERR"; then
	host_direct=-d
else
	host_direct=
	say "info devices-note host O_DIRECT refused, the host runs buffered: $(head -n 1 "$ERR")"
fi
say "info devices runs=$DEV_RUNS disk_mib=$DEV_DISK_MIB disk_fs=$(awk '$2 == "/tmp" { fs = $3 } END { print fs }' /proc/mounts)" \
	"seq_bytes=$DEV_SEQ_BYTES rand_bytes=$DEV_RAND_BYTES host_direct=$([ -n "$host_direct" ] && echo 1 || echo 0)" \
	"guest_direct=1 guest_cpus=1 flood_kb_serial=$DEV_FLOOD_KB_SERIAL flood_kb_virtio=$DEV_FLOOD_KB_VIRTIO limit_mib=$DEV_LIMIT_MIB"
run=1
while [ $run -le "$DEV_RUNS" ]; do
	if [ $((run % 2)) = 1 ]; then
		dev_block_host $run; dev_block_guest $run
	else
		dev_block_guest $run; dev_block_host $run
	fi
	run=$((run + 1))
done
rm -f "$DISK"
# The host's lines: the guests' (the virtio size), doubled until at least DEV_LIMIT_MIB, so
# that the copy outlasts the noise in timing an exec by far.
awk -v n=$((DEV_FLOOD_KB_VIRTIO * 16)) 'BEGIN { for (i = 0; i < n; i++) printf "LVMM-FLOOD %08d 0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\n", i }' > "$FLOOD"
while [ "$(wc -c < "$FLOOD")" -lt $((DEV_LIMIT_MIB * 1048576)) ]; do
	cat "$FLOOD" "$FLOOD" > "$FLOOD.2" && mv "$FLOOD.2" "$FLOOD"
done
flood_bytes=$(wc -c < "$FLOOD")
: > "$EMPTY"
run=1
while [ $run -le "$DEV_RUNS" ]; do
	if [ $((run % 2)) = 1 ]; then
		dev_console_guest $run serial; dev_console_guest $run virtio; dev_console_host $run
	else
		dev_console_host $run; dev_console_guest $run virtio; dev_console_guest $run serial
	fi
	run=$((run + 1))
done
rm -f "$FLOOD" "$EMPTY"
fi

# --- sandbox (the report's section 6): lvmm sandbox's time to result ------------------------
# The time from exec to exit (launch-timed) of lvmm sandbox -k Image -- true, against lvmm run of
# the same kernel with an initrd whose init powers off at once (bench/tools/poweroff_init.c):
# the difference is the sandbox's own cost (the 9p root, its consoles, its init, the command).
# Two more sides measure the floor, what running the command in a fresh guest costs at all,
# with no 9p, consoles or set-up: lvmm run of an initrd whose init runs the same busybox true
# from the initramfs and powers off (bench/tools/command_init.c), and its own baseline, the
# same initrd (busybox in it) with the init that powers off at once. All on 1 vCPU and 256
# MiB, with "quiet"; the order of the four sides rotates by round.
if wanted sandbox; then
sandbox_seconds() { # the run time launch-timed saw, in seconds
	awk '/^launch-timed: exec at/ { e = $5 } /^launch-timed: exit at/ { x = $5 }
		END { if (e && x) printf "%.6f", (x - e) / 1e9 }' "$ERR"
}
sandbox_side() { # RUN sandbox|run|floor|floor-base
	if [ "$2" = sandbox ]; then
		run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" sandbox -k "$IMAGE" -- true
	elif [ "$2" = floor ]; then
		run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" run -k "$IMAGE" -i "$PAYLOAD/command-initrd.cpio" -p quiet
	elif [ "$2" = floor-base ]; then
		run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" run -k "$IMAGE" -i "$PAYLOAD/poweroff-busybox-initrd.cpio" -p quiet
	else
		run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" run -k "$IMAGE" -i "$PAYLOAD/poweroff-initrd.cpio" -p quiet
	fi
	status=$?
	seconds=$(sandbox_seconds)
	if [ "$status" = 0 ] && [ -n "$seconds" ]; then
		say "sandbox side=$2 run=$1 seconds=$seconds"
	elif [ "$status" = 0 ]; then
		failures=$((failures + 1))
		say "failed sandbox side=$2 run=$1: launch-timed printed no times"
	fi
}
say "info sandbox runs=$SANDBOX_RUNS trace_runs=$SANDBOX_TRACE_RUNS guest_cpus=1 mem_mib=256"
run=1
while [ $run -le "$SANDBOX_RUNS" ]; do
	case $((run % 4)) in
	1) sandbox_side $run sandbox; sandbox_side $run run; sandbox_side $run floor; sandbox_side $run floor-base ;;
	2) sandbox_side $run run; sandbox_side $run floor; sandbox_side $run floor-base; sandbox_side $run sandbox ;;
	3) sandbox_side $run floor; sandbox_side $run floor-base; sandbox_side $run sandbox; sandbox_side $run run ;;
	0) sandbox_side $run floor-base; sandbox_side $run sandbox; sandbox_side $run run; sandbox_side $run floor ;;
	esac
	run=$((run + 1))
done
# Where the sandbox's time goes, on the guest kernel's clock, in runs of their own (not timed
# above): the sandbox's init logs its steps to the kernel's log (lvmm.sandbox_trace; with
# "quiet" they are kept, not printed), and its command, dmesg, prints them with "Run /init";
# the baseline's init prints when the kernel ran it (bench/tools/boot_probe_init.c).
kernel_time() { # STEP-TEXT: the kernel timestamp of the first log line holding it
	tr -d '\r' < "$OUT" | grep -F "$1" | head -n 1 | sed -n 's/^[^[]*\[ *\([0-9.]*\)\].*/\1/p'
}
run=1
while [ $run -le "$SANDBOX_TRACE_RUNS" ]; do
	if run_logged 300 "$LVMM" sandbox -k "$IMAGE" -p lvmm.sandbox_trace -- dmesg; then
		steps="run_init=$(kernel_time 'Run /init as init process') started=$(kernel_time 'lvmm-sandbox-init: started')"
		steps="$steps port=$(kernel_time 'lvmm-sandbox-init: control port open') root=$(kernel_time 'lvmm-sandbox-init: root mounted')"
		steps="$steps command=$(kernel_time 'lvmm-sandbox-init: starting the command')"
		say "sandbox-trace side=sandbox run=$run $steps"
	fi
	if run_logged 300 "$LVMM" run -k "$IMAGE" -i "$PAYLOAD/boot-probe-initrd.cpio" -p quiet; then
		say "sandbox-trace side=run run=$run run_init=$(tr -d '\r' < "$OUT" | sed -n 's/^LVMM-BOOT-PROBE run_init_s=\([0-9.]*\).*/\1/p')"
	fi
	run=$((run + 1))
done
# The whole run on lvmm's clock, in runs of their own: with --loglevel debug, init reports its
# steps on the control port and lvmm logs each with its CLOCK_MONOTONIC, as it does the status's
# arrival and the guest's power-off; launch-timed notes the exec and the exit (docs/sandbox.md).
# In ms since the exec. --loglevel debug makes the sandbox wait for the guest's power-off after
# the status, which the timed runs do not: their exit comes about that much sooner.
host_ms() { # TEXT: ms from launch-timed's exec to the CLOCK_MONOTONIC of the first line holding TEXT
	awk -v text="$1" '/^launch-timed: exec at/ { e = $5 }
		!t && index($0, text) { for (i = 1; i < NF; i++) if ($i == "CLOCK_MONOTONIC") { t = $(i + 1); break } }
		END { if (e && t) printf "%.1f", (t - e) / 1e6 }' "$ERR"
}
guest_clock() { # STEP: the guest's clock, in s, that init gave with STEP
	sed -n "s/.*sandbox: guest init: $1 (guest clock \([0-9.]*\) s).*/\1/p" "$ERR" | head -n 1
}
run=1
while [ $run -le "$SANDBOX_TRACE_RUNS" ]; do
	if run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" sandbox --loglevel debug -p quiet -k "$IMAGE" -- true; then
		# init's first steps reach lvmm together with "control port open": placed by the
		# guest's clock, back from that step's arrival.
		port=$(host_ms "guest init: control port open") started=
		port_clock=$(guest_clock "control port open") started_clock=$(guest_clock started)
		[ -n "$port" ] && [ -n "$port_clock" ] && [ -n "$started_clock" ] &&
			started=$(awk -v p="$port" -v a="$port_clock" -v b="$started_clock" 'BEGIN { printf "%.1f", p - 1000 * (a - b) }')
		say "sandbox-host side=sandbox run=$run first_run=$(host_ms 'first KVM_RUN at') started=$started port=$port" \
			"root=$(host_ms 'guest init: root mounted') command=$(host_ms 'guest init: starting the command')" \
			"ended=$(host_ms 'guest init: the command ended') status=$(host_ms 'status arrived at')" \
			"poweroff=$(host_ms 'guest power-off at') exit=$(host_ms 'launch-timed: exit at')"
	fi
	if run_logged 300 "$PAYLOAD/launch-timed" "$LVMM" run --loglevel debug -k "$IMAGE" -i "$PAYLOAD/poweroff-initrd.cpio" -p quiet; then
		say "sandbox-host side=run run=$run first_run=$(host_ms 'first KVM_RUN at')" \
			"poweroff=$(host_ms 'guest power-off at') exit=$(host_ms 'launch-timed: exit at')"
	fi
	run=$((run + 1))
done
fi

# --- 4. the PV sched A/B --------------------------------------------------------------------
# Scenarios (docs/benchmarks.md):
#   s1         as seed 000: guest vCPUs = host CPUs, an otherwise idle host; off, on, idle-preempted
#   s2         overcommit: guest vCPUs = 2 x host CPUs, no other load; off, on, idle-preempted
#   s2-loaded  s2 plus one CPU hog pinned to each host CPU while the workloads run; off, on
# Each of AB_RUNS rounds boots every arm once, in an order rotated by one every round, so drift
# in the emulated host's speed spreads over all arms and no arm always follows the same one.
# One boot runs each workload once, or lvmm.bench_runs times (guest/linux-init/init,
# lvmm.action=sched-bench); every run is logged with its repeat number, and the report takes
# a boot's median (the boots are the independent samples) and splits the spread into what
# varies between the runs of one boot and what varies between boots.
host_cpus=$(nproc)
# ab_boot HOGS(0|1) COMMAND...: one A/B boot, as run_logged. With HOGS, one CPU hog per host
# CPU runs from the moment the guest starts its workloads (its init's "params" line) until the
# boot ends: the load is on what is measured, and the boot itself is not slowed by it.
ab_boot() {
	with_hogs=$1
	shift
	[ "$with_hogs" = 1 ] || { run_logged 900 "$@"; return; }
	say "command $* (with $host_cpus CPU hogs from the workloads' start)"
	timeout 900 "$@" </dev/null >"$OUT" 2>"$ERR" &
	boot=$!
	waited=0
	while ! grep -q 'LVMM-BENCH: params' "$OUT" 2>/dev/null && kill -0 $boot 2>/dev/null &&
	      [ $waited -lt 600 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	hogs= cpu=0
	while [ $cpu -lt "$host_cpus" ]; do
		taskset -c $cpu sh -c 'while :; do :; done' &
		hogs="$hogs $!"
		cpu=$((cpu + 1))
	done
	wait $boot
	STATUS=$?
	kill $hogs
	wait $hogs 2>/dev/null
	if [ "$STATUS" != 0 ]; then
		failures=$((failures + 1))
		say "failed status=$STATUS command=$*"
		tail -n 5 "$OUT" "$ERR" | sed 's/^/# /'
	fi
	return $STATUS
}
ab_scenario() { # NAME VCPUS HOGS(0|1) PARAMS ARM...
	name=$1 vcpus=$2 with_hogs=$3 params=$4
	shift 4
	arm_count=$#
	arms="$*"
	say "info ab scenario=$name guest_cpus=$vcpus host_cpus=$host_cpus host_hogs=$([ "$with_hogs" = 1 ] && echo "$host_cpus" || echo 0) arms=$(echo $arms | tr ' ' ,) params=$(echo $params | tr ' ' ,)"
	round=1
	while [ $round -le "$AB_RUNS" ]; do
		k=0
		while [ $k -lt $arm_count ]; do
			set -- $arms
			shift $(( (k + round) % arm_count ))
			arm=$1
			case $arm in
			off) flag= ;;
			on) flag=--pvsched ;;
			*) flag=--pvsched=$arm ;;
			esac
			if ab_boot "$with_hogs" "$LVMM" run -k "$IMAGE" -i "$BENCH_INITRD" -c "$vcpus" -m 512 $flag \
				-p "quiet lvmm.action=sched-bench $params"; then
				tag="scenario=$name arm=$arm run=$round"
				tr -d '\r' < "$OUT" | sed -n \
					-e "s/^LVMM-BENCH: run=\([0-9][0-9]*\) /bench ab $tag repeat=\1 /p" \
					-e "s/^LVMM-BENCH: pvsched /bench ab-pvsched $tag /p" \
					-e "s/^LVMM-BENCH: pvsched-after /bench ab-pvsched-after $tag /p"
				grep -q 'LVMM-BENCH: .*FAILED' "$OUT" && failures=$((failures + 1))
			fi
			k=$((k + 1))
		done
		round=$((round + 1))
	done
	return 0
}
wanted ab || AB_SCENARIOS=
for scenario in $AB_SCENARIOS; do
	case $scenario in
	s1) ab_scenario s1 "$host_cpus" 0 "$AB_PARAMS_S1" off on idle-preempted ;;
	s2) ab_scenario s2 $((2 * host_cpus)) 0 "$AB_PARAMS_S2" off on idle-preempted ;;
	s2-loaded) ab_scenario s2-loaded $((2 * host_cpus)) 1 "$AB_PARAMS_S2_LOADED" off on ;;
	*) say "failed unknown scenario $scenario"; failures=$((failures + 1)) ;;
	esac
done
say "done failures=$failures"
[ "$failures" = 0 ]
