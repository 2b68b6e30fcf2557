#!/usr/bin/python3
"""Seeds or leeches one torrent with libtorrent, for retracker's interop tests.

Run with Debian's /usr/bin/python3 (python3-libtorrent). Peers can meet only through the tracker:
DHT, LSD, UPnP and NAT-PMP are off, the session starts without its default plugins (no PEX, no
metadata exchange) and the torrent is private. Peers talk plain TCP (uTP off).

  leech: exits 0 once the download is complete and the tracker has been told ("completed"),
         2 when --timeout runs out first
  seed:  seeds until SIGTERM/SIGINT or --timeout, then exits 0

Either way the process exits when the --watch-pid process (the test JVM) goes away. Progress
goes to stdout, one line per second, for the test's log file.
"""

import argparse
import os
import signal
import sys
import time

import libtorrent as lt


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["seed", "leech"])
    p.add_argument("--torrent", required=True)
    p.add_argument("--dir", required=True, help="where the payload is (seed) or goes (leech)")
    p.add_argument("--bind", required=True, help="address to listen on and dial from: 127.0.0.2, ::1")
    p.add_argument("--timeout", type=float, default=90.0, help="seconds before giving up")
    p.add_argument("--watch-pid", type=int, help="exit when this process (the test JVM) is gone")
    args = p.parse_args()

    listen = "[%s]:0" % args.bind if ":" in args.bind else "%s:0" % args.bind
    settings = {
        "listen_interfaces": listen,
        "outgoing_interfaces": args.bind,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        # the tests' tracker asks for re-announces every few seconds; libtorrent's floor is 300 s
        "min_announce_interval": 1,
        # peers on the same host share an address family and often an address
        "allow_multiple_connections_per_ip": True,
        # bounded shutdown: do not wait long for the "stopped" announce
        "stop_tracker_timeout": 2,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification
        | lt.alert.category_t.connect_notification
        | lt.alert.category_t.peer_notification,
    }
    # flags 0: no default plugins (ut_pex, ut_metadata, smart_ban), so no PEX
    ses = lt.session(settings, 0)

    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.dir
    params.flags &= ~lt.torrent_flags.auto_managed
    params.flags &= ~lt.torrent_flags.paused
    params.flags |= lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd | lt.torrent_flags.disable_pex
    handle = ses.add_torrent(params)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    deadline = time.monotonic() + args.timeout
    finished_at = None  # when the leech completed
    told_tracker = False  # a tracker reply arrived after completion (so "completed" was sent)
    next_report = 0.0
    while not stopping:
        now = time.monotonic()
        if now > deadline:
            log("timeout after %.0f s" % args.timeout)
            return shutdown(ses, handle, 2 if args.mode == "leech" else 0)
        if args.watch_pid and not alive(args.watch_pid):
            log("process %d went away" % args.watch_pid)
            return shutdown(ses, handle, 3)
        ses.wait_for_alert(200)
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert) and finished_at is not None:
                told_tracker = True
            if isinstance(a, lt.torrent_finished_alert) and finished_at is None:
                finished_at = now
            if not isinstance(a, (lt.stats_alert, lt.state_update_alert)):
                log("alert %s: %s" % (type(a).__name__, a.message()))
        s = handle.status()
        if now >= next_report:
            next_report = now + 1.0
            log(
                "%s state=%s progress=%.3f peers=%d seeds=%d down=%d up=%d tracker=%s"
                % (
                    args.mode,
                    s.state,
                    s.progress,
                    s.num_peers,
                    s.num_seeds,
                    s.total_payload_download,
                    s.total_payload_upload,
                    s.current_tracker,
                )
            )
        if args.mode == "leech" and s.is_seeding:
            if finished_at is None:
                finished_at = now
            # wait (briefly) for the "completed" announce to be answered before leaving
            if told_tracker or now - finished_at > 5.0:
                log("complete: %d bytes, tracker told=%s" % (s.total_wanted, told_tracker))
                return shutdown(ses, handle, 0)
    log("signalled")
    return shutdown(ses, handle, 0)


def shutdown(ses, handle, status):
    """Pauses the torrent so that "stopped" is announced, then ends the session (bounded)."""
    handle.pause()
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        ses.wait_for_alert(200)
        done = False
        for a in ses.pop_alerts():
            log("alert %s: %s" % (type(a).__name__, a.message()))
            if isinstance(a, lt.torrent_paused_alert):
                done = True
        if done:
            break
    sys.stdout.flush()
    return status


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def log(msg):
    print("%.3f %s" % (time.monotonic(), msg), flush=True)


if __name__ == "__main__":
    sys.exit(main())
