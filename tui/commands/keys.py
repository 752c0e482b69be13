"""`keyprobe keys init | add | list | remove | passwd`: the encrypted key file from the command line.

Secrets never come from argv (shell history, `ps`): the API key, secret and memo are typed at prompts
(the secret and memo hidden) or read from KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO; the
passphrase from a prompt or KEYPROBE_PASSPHRASE (KEYPROBE_NEW_PASSPHRASE for `passwd`).
Exit codes: 0 done, 1 refused (wrong passphrase, missing or unsafe file, unknown profile), 2 usage.
"""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import VENUE_IDS

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe --help` loads this module
if TYPE_CHECKING:
    from keys.secret import Secret
    from keys.vault import KdfLimits, Vault

KDF_CHOICES = ("interactive", "moderate", "sensitive")


class Refused(Exception):
    """An operation the state of things refuses: exit 1."""


class Usage(Exception):
    """Input that cannot work: exit 2."""

HELP = "manage the encrypted key file: init, add, list, remove, passwd"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "keys",
        help=HELP,
        description="Profiles (a named API key bound to a venue) live in one encrypted file "
        "(XChaCha20-Poly1305, Argon2id), KEYPROBE_HOME/keys.json. Secrets are never taken from the command line.",
    )
    actions = p.add_subparsers(dest="keys_action", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="create an empty key file", description="Create an empty key file, asking for a new passphrase twice (or KEYPROBE_PASSPHRASE).")
    init.add_argument("--kdf", choices=KDF_CHOICES, help="Argon2id cost: moderate (default, ~0.4 s to unlock, 256 MiB) or interactive (~0.06 s, 64 MiB)")

    add = actions.add_parser(
        "add",
        help="add a profile",
        description="Add a profile. The API key, secret and memo are asked for (secret and memo hidden) "
        "or read from KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO; never from arguments.",
    )
    add.add_argument("name", help="profile name: letters, digits, '.', '_', '-'")
    add.add_argument("--venue", required=True, choices=VENUE_IDS, help="the venue this key belongs to; it signs only for that venue's hosts")
    add.add_argument("--base-url", help="another base URL for this key (a mirror); its host must be the venue's or allowed with --allow-host")
    add.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="one more host this key may sign for (repeatable)")
    add.add_argument("--notes", default="", help="free text shown by `keys list`")
    add.add_argument("--proxy", metavar="URL", default=None, help="send this key's requests through this HTTP proxy (named in every output)")
    add.add_argument("--dialect", choices=("auto", "X-API-", "X-BM-"), default="auto",
                     help="auth header set to sign with: auto (the venue's own; default), or X-API- / X-BM- for a WOO X Pro "
                          "key whose venue accepts the other (`keyprobe probe` reports which it accepts)")
    add.add_argument("--replace", action="store_true", help="replace a profile of the same name")

    ls = actions.add_parser("list", help="list profiles (fingerprints only)", description="List profiles: name, venue, key fingerprint, memo set or empty, hosts it signs for.")
    ls.add_argument("--json", action="store_true", help="machine-readable output")

    rm = actions.add_parser("remove", help="remove a profile (asks first)",
                            description="Remove a profile from the key file. Asks first on a terminal; --yes skips the question.")
    rm.add_argument("name")
    rm.add_argument("--yes", action="store_true", help="remove without asking (needed when not on a terminal)")

    pw = actions.add_parser("passwd", help="change the passphrase", description="Re-encrypt the key file under a new passphrase (and optionally a new Argon2id cost).")
    pw.add_argument("--kdf", choices=KDF_CHOICES, help="also change the Argon2id cost (default: keep the current one)")

    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from keys.vault import VaultError
    from tui.commands._profile import PromptUnavailable

    action = {"init": _init, "add": _add, "list": _list, "remove": _remove, "passwd": _passwd}[args.keys_action]
    try:
        return action(args)
    except (Usage, PromptUnavailable) as exc:
        message, code = str(exc), 2
    except (Refused, VaultError) as exc:
        message, code = str(exc), 1
    except EOFError:
        message, code = "Input ended before the prompt was answered; nothing was changed.", 2
    print(f"keyprobe keys: {message}", file=sys.stderr)
    return code


# -- actions ---------------------------------------------------------------------------------------------
def _init(args: argparse.Namespace) -> int:
    from keys import vault
    from tui import paths
    from tui.commands._profile import PASSPHRASE_ENV

    path = paths.keyfile_path()
    if path.exists():
        raise Refused(f"A key file already exists at {path}; change its passphrase with `keyprobe keys passwd`, or move it away first.")
    limits = _limits(args.kdf)
    passphrase = _new_passphrase(PASSPHRASE_ENV, f"New passphrase for {path}: ")
    paths.ensure_home()
    vault.create(path, passphrase, limits)
    print(f"Created {path} ({limits.describe()}).")
    print("Add a key with: keyprobe keys add NAME --venue wooxpro")
    return 0


def _add(args: argparse.Namespace) -> int:
    from keys.vault import Profile, ProfileError
    from tui.commands._profile import ask_secret, ask_text

    def build(api_key: object, secret: object, memo: object) -> Profile:
        try:
            return Profile.new(args.name, args.venue, api_key, secret, memo, extra_hosts=args.allow_host, base_url=args.base_url, notes=args.notes,
                               proxy=args.proxy,
                               dialect=args.dialect)
        except ProfileError as exc:
            raise Usage(str(exc)) from None

    build("placeholder", "placeholder", "")  # name, venue, hosts and URL checked before anyone types a secret
    _warn_about_the_venue(args.venue)
    v = _open()
    if args.name in v.profiles and not args.replace:
        raise Refused(f"A profile named {args.name!r} already exists; use --replace to overwrite it, or pick another name.")
    profile = build(
        ask_text("API key: ", "KEYPROBE_API_KEY"),
        ask_secret("Secret (hidden): ", "KEYPROBE_SECRET"),
        ask_secret("Memo (hidden; empty if the key has none): ", "KEYPROBE_MEMO"),
    )
    (v.replace if args.replace else v.add)(profile)
    v.save()
    verb = "Replaced" if args.replace else "Added"
    print(
        f"{verb} profile {profile.name!r}: {profile.venue_name}, key {profile.fingerprint}, memo {'set' if profile.memo else 'empty'}; "
        f"signs only for {', '.join(sorted(profile.allowed_hosts))}."
    )
    for warning in profile.hygiene():
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _warn_about_the_venue(venue_id: str) -> None:
    """A key for a venue that is winding down is still stored (its balances may need withdrawing), with a warning."""
    from tui.venues import get_venue

    from tui.diagnosis.venue_state import key_warning

    warning = key_warning(get_venue(venue_id).state_now())
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def _list(args: argparse.Namespace) -> int:
    from tui.output.terminal_safe import dumps as safe_json, shown

    v = _open()
    listings = [p.listing() for p in v.profiles.values()]
    if args.json:
        kdf = {"opslimit": v.limits.ops, "memlimit": v.limits.mem, "level": v.limits.label}
        print(safe_json({"path": str(v.path), "kdf": kdf, "profiles": listings}, indent=2))
        return 0
    print(f"{v.path} ({v.limits.describe()})")
    if not listings:
        print("No profiles yet; add one with: keyprobe keys add NAME --venue wooxpro")
        return 0
    rows = [("NAME", "VENUE", "KEY", "MEMO", "SIGNS FOR")] + [
        (str(p["name"]), str(p["venue"]), str(p["key"]), str(p["memo"]), ", ".join(p["hosts"])) for p in listings  # type: ignore[arg-type]
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    for p in listings:
        extras = [f"base URL {p['base_url']}"] if p["base_url"] else []
        extras += [f"signs with {p['dialect']}* headers"] if p.get("dialect", "auto") != "auto" else []
        extras += [f"notes: {shown(p['notes'])}"] if p["notes"] else []  # free text: may hold escapes
        extras += [f"through the proxy {p['proxy']}"] if p.get("proxy") else []
        if extras:
            print(f"  {p['name']}: {'; '.join(extras)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from keys.vault import ProfileError

    v = _open()
    if args.name not in v.profiles:
        try:
            v.remove(args.name)  # says which profiles there are
        except ProfileError as exc:
            raise Refused(str(exc)) from None
    found = v.profiles[args.name]
    if not args.yes:
        what = f"profile {args.name!r} ({found.venue_name}, key {found.fingerprint})"
        if not sys.stdin.isatty():
            raise Refused(f"Not removing {what} without confirmation: run it on a terminal to be asked, or pass --yes.")
        print(f"Remove {what} from {v.path}? It cannot be undone. [y/N] ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("Not confirmed: nothing was removed.", file=sys.stderr)
            return 1
    try:
        profile = v.remove(args.name)
    except ProfileError as exc:
        raise Refused(str(exc)) from None
    v.save()
    print(f"Removed profile {profile.name!r} (key {profile.fingerprint}).")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from tui.commands._profile import NEW_PASSPHRASE_ENV

    v = _open()
    limits = _limits(args.kdf) if args.kdf else None
    v.change_passphrase(_new_passphrase(NEW_PASSPHRASE_ENV, f"New passphrase for {v.path}: "), limits)
    v.save()
    print(f"Passphrase changed for {v.path} ({v.limits.describe()}).")
    return 0


# -- helpers -----------------------------------------------------------------------------------------------
def _open() -> Vault:
    from tui.commands._profile import open_vault

    return open_vault()


def _limits(choice: str | None) -> KdfLimits:
    from keys.vault import KDF_LEVELS
    from tui.commands._profile import kdf_from_env

    if choice:
        return KDF_LEVELS[choice]
    try:
        return kdf_from_env()
    except ValueError as exc:
        raise Usage(str(exc)) from None


def _new_passphrase(env_var: str, prompt: str) -> Secret:
    """From `env_var`, or typed twice at a hidden prompt."""
    import os

    from tui.commands._profile import ask_secret

    passphrase = ask_secret(prompt, env_var)
    if os.environ.get(env_var) is None and ask_secret("Again, to confirm: ", env_var) != passphrase:
        raise Usage("The two passphrases differ; nothing was written.")
    if not passphrase:
        raise Usage("The passphrase is empty; choose one you can remember (a few words work well).")
    return passphrase
