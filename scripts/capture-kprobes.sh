#!/bin/sh
# Capture the call counts of the VFIO type1 DMA-map path on a real host with nothing but tracefs,
# for `vfio-pin-bench check` (docs/real-kernel.md). Run as root.
#
#   capture-kprobes.sh add                  add a kprobe on each function this kernel has, enable them
#   capture-kprobes.sh snap DIR LABEL       write kprobe_profile to DIR/NN-LABEL (one file per step)
#   capture-kprobes.sh run DIR -- CMD...    add; snap DIR before; run CMD; snap DIR after
#   capture-kprobes.sh remove               disable and remove the probes
#
# Each probe is "p:vpb/FUNC SYMBOL": the event is named after the function, in its own group, so
# `check` reads it back by name. SYMBOL is FUNC, or its compiler clone (FUNC.isra.0, ...) when
# only that is in /proc/kallsyms. A function missing from /proc/kallsyms is skipped with a note:
# not in this kernel (its era has another name), or inlined into every caller.
# Environment: TRACEFS (default /sys/kernel/tracing, else /sys/kernel/debug/tracing),
# VPB_FUNCS (the functions, default below), KALLSYMS (default /proc/kallsyms).
set -eu

# The probe list (docs/real-kernel.md; src/run/kprobe-check.ts KPROBE_FUNCTIONS): every era's name.
FUNCS_DEFAULT='vfio_pin_pages_remote vaddr_get_pfn vaddr_get_pfns get_user_pages_longterm pin_user_pages_remote follow_pfn follow_pte follow_pfnmap_start fixup_user_fault vfio_pci_mmap_fault vfio_pci_mmap_huge_fault iommu_map intel_iommu_map intel_iommu_map_pages vfio_unmap_unpin iommu_iova_to_phys iommu_unmap iommu_unmap_fast intel_iommu_unmap intel_iommu_unmap_pages vfio_unpin_pages_remote unpin_user_pages_dirty_lock unpin_user_page_range_dirty_lock'
FUNCS=${VPB_FUNCS:-$FUNCS_DEFAULT}
GROUP=vpb
KALLSYMS=${KALLSYMS:-/proc/kallsyms}

die() {
	echo "capture-kprobes.sh: $*" >&2
	exit 2
}

usage() {
	sed -n '5,8p' "$0" | sed 's/^# *//' >&2
	exit 2
}

tracefs() {
	if [ -n "${TRACEFS:-}" ]; then
		T=$TRACEFS
	elif [ -e /sys/kernel/tracing/kprobe_events ]; then
		T=/sys/kernel/tracing
	elif [ -e /sys/kernel/debug/tracing/kprobe_events ]; then
		T=/sys/kernel/debug/tracing
	else
		die "no kprobe_events: mount tracefs (mount -t tracefs nodev /sys/kernel/tracing); the kernel needs CONFIG_KPROBE_EVENTS"
	fi
	[ -w "$T/kprobe_events" ] || die "$T/kprobe_events is not writable: run as root"
}

# The symbol to probe for a function: itself, or its only compiler clone; empty if neither.
symbol_of() {
	awk -v f="$1" '
		$3 == f { exact = 1 }
		index($3, f ".") == 1 && $3 ~ /\.(isra|constprop|part|cold)\.[0-9]+$/ { clones[$3] = 1; n++ }
		END {
			if (exact) { print f; exit }
			if (n == 1) for (c in clones) print c
		}' "$KALLSYMS"
}

ours() {
	grep "^[pr][0-9]*:$GROUP/" "$T/kprobe_events" || true
}

add() {
	tracefs
	added=0
	for f in $FUNCS; do
		if ours | grep -q "^p:$GROUP/$f "; then
			added=$((added + 1))
			continue
		fi
		sym=$(symbol_of "$f")
		if [ -z "$sym" ]; then
			echo "skipped $f: not in $KALLSYMS (another era's name on this kernel, or inlined everywhere)" >&2
			continue
		fi
		[ "$sym" = "$f" ] || echo "note: $f is only in $KALLSYMS as $sym: probing that" >&2
		if echo "p:$GROUP/$f $sym" >> "$T/kprobe_events" 2>/dev/null; then
			added=$((added + 1))
		else
			echo "skipped $f: the kernel refused a kprobe on $sym (see $T/error_log)" >&2
		fi
	done
	[ "$added" -gt 0 ] || die "no probe added"
	echo 1 > "$T/events/$GROUP/enable"
	echo "$added probes enabled in $T/events/$GROUP" >&2
}

snap() {
	tracefs
	dir=$1
	label=$2
	case $label in *[!A-Za-z0-9._-]*|'') die "label '$label': use letters, digits, '.', '_' and '-'" ;; esac
	mkdir -p "$dir"
	n=$(find "$dir" -maxdepth 1 -type f -name '[0-9][0-9]-*' | wc -l)
	file=$(printf '%s/%02d-%s' "$dir" $((n + 1)) "$label")
	events=$(ours | sed -n "s|^[pr][0-9]*:$GROUP/\([^ ]*\) .*|\1|p")
	[ -n "$events" ] || die "no $GROUP probes in $T/kprobe_events: run '$0 add' first"
	{
		echo '# vfio-pin-bench kprobe capture (scripts/capture-kprobes.sh)'
		echo "# kernel: $(uname -r)"
		ours | sed 's/^/# probe: /'
		echo "== ${file##*/}"
		# kprobe_profile: "  %-44s %15lu %15lu" of event, hits, missed hits; our events only
		awk -v list="$events" 'BEGIN { n = split(list, e, "\n"); for (i = 1; i <= n; i++) want[e[i]] = 1 } ($1 in want)' "$T/kprobe_profile"
	} > "$file.tmp"
	mv "$file.tmp" "$file"
	echo "$file"
}

remove() {
	tracefs
	[ -e "$T/events/$GROUP/enable" ] && echo 0 > "$T/events/$GROUP/enable"
	ours | sed -n "s|^[pr][0-9]*:\($GROUP/[^ ]*\) .*|-:\1|p" | while read -r del; do
		echo "$del" >> "$T/kprobe_events"
	done
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
	add) [ $# -eq 0 ] || usage; add ;;
	snap) [ $# -eq 2 ] || usage; snap "$1" "$2" ;;
	run)
		if [ $# -lt 3 ] || [ "$2" != "--" ]; then usage; fi
		dir=$1
		shift 2
		add
		snap "$dir" before
		status=0
		"$@" || status=$?
		snap "$dir" after
		[ "$status" -eq 0 ] || echo "note: the command exited with status $status" >&2
		;;
	remove) [ $# -eq 0 ] || usage; remove ;;
	*) usage ;;
esac
