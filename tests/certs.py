"""Test certificates, made with the openssl command line tool: a private CA and
a server certificate it signs for ``localhost`` and 127.0.0.1, so TLS tests can
verify the server the way a real client does."""

import os
import subprocess


class Certificates:
    """Paths of the files ``make_certificates`` wrote."""

    def __init__(self, directory):
        self.ca_file = os.path.join(directory, "ca.pem")
        self.cert_file = os.path.join(directory, "server.pem")
        self.key_file = os.path.join(directory, "server.key")


def _openssl(*args, cwd):
    subprocess.run(
        ("openssl",) + args,
        cwd=cwd,
        check=True,
        timeout=60,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def make_certificates(directory):
    """Write a CA and a server certificate for localhost/127.0.0.1 into
    ``directory``; returns their ``Certificates``."""
    certs = Certificates(directory)
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=spdylay test CA",
        # Python 3.13 verifies strictly (VERIFY_X509_STRICT) and
        # refuses a CA certificate without a key usage extension.
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        certs.ca_file,
        cwd=directory,
    )
    _openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        certs.key_file,
        "-out",
        "server.csr",
        cwd=directory,
    )
    with open(os.path.join(directory, "server.ext"), "w") as ext:
        ext.write(
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            "basicConstraints=CA:FALSE\n"
            "extendedKeyUsage=serverAuth\n"
        )
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        certs.ca_file,
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        certs.cert_file,
        cwd=directory,
    )
    return certs
