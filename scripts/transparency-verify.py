#!/usr/bin/env python3
"""An independent verifier of Consentry's transparency log, from published data alone.

Nothing of Consentry's code is used: the leaf encoding, RFC 9162's Merkle tree and RFC 6962's
signed tree head are rebuilt here from their descriptions (SECURITY.md, "Transparency log"),
and Ed25519 comes from PyPI's `cryptography`.

    scripts/transparency-verify.py --jwks jwks.json --proof access-proof.json
    scripts/transparency-verify.py --jwks jwks.json --consistency consistency.json

Exit 0 when it verifies, 1 when it does not (with the reason).
"""
import argparse
import base64
import hashlib
import json
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class NotVerified(Exception):
    pass


def b64(text):
    return base64.b64decode(text, validate=True)


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def public_key(jwks, kid):
    for key in jwks.get("keys", []):
        if key.get("crv") == "Ed25519" and (kid is None or key.get("kid") == kid):
            return Ed25519PublicKey.from_public_bytes(b64url(key["x"]))
    raise NotVerified(f"the JWKS has no Ed25519 key {kid or ''}")


def verified_head(head, key):
    """RFC 6962 TreeHeadSignature: version 0, type 1 (tree_hash), timestamp, size, root."""
    root = b64(head["rootHash"])
    message = struct.pack(">BBQQ", 0, 1, int(head["timestamp"]), int(head["treeSize"])) + root
    try:
        key.verify(b64(head["signature"]), message)
    except InvalidSignature:
        raise NotVerified("the tree head's signature does not verify with the published key")
    return int(head["treeSize"]), root


def leaf_data(entry, salt):
    parts = [b"consentry-transparency-leaf/v1", salt] + [
        str(value if value is not None else "").encode("utf-8")
        for value in (entry["seq"], entry["occurredAt"], entry["actorKind"], entry["actorId"], entry["action"],
                      entry.get("customerId"), entry.get("purpose"), entry["fields"], entry["outcome"])]
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or first > second or not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jwks", required=True)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--proof")
    group.add_argument("--consistency")
    args = parser.parse_args()
    jwks = json.load(open(args.jwks))
    try:
        if args.proof:
            document = json.load(open(args.proof))
            head = document["treeHead"]
            size, root = verified_head(head, public_key(jwks, head.get("keyId")))
            entry = document["entry"]
            leaf = leaf_hash(leaf_data(entry, b64(document["salt"])))
            path = [b64(p) for p in document["inclusionProof"]]
            if not verify_inclusion(leaf, int(entry["seq"]) - 1, size, path, root):
                raise NotVerified(f"entry {entry['seq']} is not in the signed tree of {size} entries")
            print(f"verified: entry {entry['seq']} ({entry['actorId']}, {entry.get('purpose')}, {entry['occurredAt']}) "
                  f"is in the signed tree of {size} entries")
        else:
            document = json.load(open(args.consistency))
            key = public_key(jwks, document["to"].get("keyId"))
            first, first_root = verified_head(document["from"], key)
            second, second_root = verified_head(document["to"], key)
            if not verify_consistency(first, second, first_root, second_root, [b64(p) for p in document["proof"]]):
                raise NotVerified(f"the tree of {second} entries does not extend the tree of {first}")
            print(f"verified: the tree of {second} entries extends the tree of {first}")
    except (NotVerified, KeyError, ValueError) as problem:
        print(f"NOT verified: {problem}")
        sys.exit(1)


if __name__ == "__main__":
    main()
