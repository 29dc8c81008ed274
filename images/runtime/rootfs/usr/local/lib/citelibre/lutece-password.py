"""
Prints the stored form of a Lutece 7 back-office password, the one Lutece itself writes on a password
change (PasswordFactory: PBKDF2WITHHMACSHA512:<iterations>:<hex salt>:<hex hash>, 40000 iterations, a
16-byte salt and a 128-byte hash by default). The password comes from the environment variable
CL_PASSWORD, never from argv, so it does not show in `ps`.

usage: CL_PASSWORD=... lutece-password.py
"""
import hashlib
import os
import secrets
import sys

ITERATIONS = 40000
SALT_BYTES = 16
HASH_BYTES = 128


def stored_form(password: str, salt: bytes, iterations: int = ITERATIONS) -> str:
    # Java's PBEKeySpec hands PBKDF2WithHmacSHA512 the password's characters as UTF-8 bytes.
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, dklen=HASH_BYTES)
    return f"PBKDF2WITHHMACSHA512:{iterations}:{salt.hex()}:{digest.hex()}"


def main() -> None:
    password = os.environ.get("CL_PASSWORD")
    if not password:
        sys.exit("lutece-password.py: CL_PASSWORD is empty")
    print(stored_form(password, secrets.token_bytes(SALT_BYTES)))


if __name__ == "__main__":
    main()
