/*
 * The per-row part of verify_audit's walk in C (docs/decisions/0019, docs/performance.md).
 *
 * check(lines, pieces, detail_at, names, key, details, canonical_detail, macs, suspects,
 *       previous) -> (last_id, strays, twice)
 *
 * takes a batch of lines of `COPY (SELECT id, municipality, <form-3 fields>, hash, '') TO
 * STDOUT` in id order and does per line what chain._line_checker(fast=False) does in Python:
 *
 * - the line's stored hash goes into `macs[k]` (a dict id -> hash) of its chain `names[k]`
 *   (a (bytes, str) pair); a line whose chain is none of them goes to `strays` as
 *   (id, chain as COPY wrote it, hash) for the caller;
 * - a line with a backslash anywhere or a quote outside `detail` is a suspect: its id goes
 *   into `suspects[k]` and the caller settles it the exact way;
 * - otherwise the fields are pasted between the constant `pieces` of the canonical form
 *   (`detail` replaced by its canonical form from `details`, computed by `canonical_detail`
 *   when new) and HMAC-SHA256 with `key` over those bytes must equal the stored hash, or the
 *   id is a suspect too;
 * - an id not above the one before it (`previous` for the first line) goes to `twice` as
 *   (id, chain) and is a suspect.
 *
 * A line COPY cannot write (a wrong number of fields, no decimal id, no newline) raises
 * ValueError before anything of it is recorded, where Python may get further first; either
 * way the walk stops.
 *
 * The Python walk stays the reference: this module is optional (the walk runs in Python
 * without it) and a test checks both give the same answer for every row. Only an exact match
 * counts as intact, so a fault here can make the walk slower, never wrong: a suspect is
 * recomputed from its row the exact way before it counts as changed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <string.h>

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#define MAX_FIELDS 64
#define DETAILS_KEPT 10000

typedef struct {
    SHA256_CTX inner;
    SHA256_CTX outer;
} hmac_states;

static void
hmac_init(hmac_states *states, const unsigned char *key, Py_ssize_t key_len)
{
    unsigned char block[SHA256_CBLOCK], pad[SHA256_CBLOCK];
    memset(block, 0, sizeof block);
    if (key_len > SHA256_CBLOCK) {
        SHA256(key, (size_t)key_len, block);
    } else {
        memcpy(block, key, (size_t)key_len);
    }
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&states->inner);
    SHA256_Update(&states->inner, pad, sizeof pad);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&states->outer);
    SHA256_Update(&states->outer, pad, sizeof pad);
}

/* A decimal event id as COPY writes a bigint (an optional minus sign, at most 19 digits):
 * 0 and the value in *value, or -1 for text that is no bigint. */
static int
parse_id(const char *text, Py_ssize_t len, long long *value)
{
    int negative = len > 0 && text[0] == '-';
    long long result = 0;
    if (len - negative < 1 || len - negative > 19) return -1;
    for (Py_ssize_t i = negative; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return -1;
        int digit = text[i] - '0';
        /* Accumulate as a negative number: -LLONG_MAX - 1 fits, LLONG_MAX + 1 does not. */
        if (result < (LLONG_MIN + digit) / 10) return -1;
        result = result * 10 - digit;
    }
    if (!negative) {
        if (result == LLONG_MIN) return -1;
        result = -result;
    }
    *value = result;
    return 0;
}

/* One line: 0 done, -1 error. `*previous` is the id before it. */
static int
check_line(const char *line, Py_ssize_t len, PyObject *pieces, Py_ssize_t detail_at,
           PyObject *names, const hmac_states *states, PyObject *details,
           PyObject *canonical_detail, PyObject *macs, PyObject *suspects, PyObject *strays,
           PyObject *twice, long long *previous)
{
    const char *start[MAX_FIELDS];
    Py_ssize_t size[MAX_FIELDS];
    Py_ssize_t count = 0, from = 0;
    Py_ssize_t npieces = PyTuple_GET_SIZE(pieces);
    /* id, chain, one field per gap between pieces, hash, and the empty last column. */
    Py_ssize_t expected = npieces - 1 + 4;
    int result = -1;

    if (len < 1 || line[len - 1] != '\n') {
        PyErr_SetString(PyExc_ValueError, "a COPY line must end with a newline");
        return -1;
    }
    len -= 1;
    for (Py_ssize_t i = 0; i <= len; i++) {
        if (i == len || line[i] == '\t') {
            if (count == MAX_FIELDS || count == expected) {
                PyErr_SetString(PyExc_ValueError, "a COPY line with too many fields");
                return -1;
            }
            start[count] = line + from;
            size[count] = i - from;
            count++;
            from = i + 1;
        }
    }
    if (count != expected) {
        PyErr_SetString(PyExc_ValueError, "a COPY line with too few fields");
        return -1;
    }
    long long id;
    if (parse_id(start[0], size[0], &id) < 0) {
        PyErr_SetString(PyExc_ValueError, "a COPY line without a decimal id first");
        return -1;
    }
    Py_ssize_t hash_at = count - 2;
    PyObject *digest = NULL, *number = PyLong_FromLongLong(id);
    if (number == NULL) goto done;
    digest = PyUnicode_DecodeUTF8(start[hash_at], size[hash_at], "strict");
    if (digest == NULL) goto done;

    Py_ssize_t k = 0, nnames = PyTuple_GET_SIZE(names);
    for (; k < nnames; k++) {
        PyObject *code = PyTuple_GET_ITEM(PyTuple_GET_ITEM(names, k), 0);
        if (PyBytes_GET_SIZE(code) == size[1] &&
            memcmp(PyBytes_AS_STRING(code), start[1], (size_t)size[1]) == 0) {
            break;
        }
    }
    if (k == nnames) {
        PyObject *stray = Py_BuildValue("(Oy#O)", number, start[1], size[1], digest);
        if (stray == NULL || PyList_Append(strays, stray) < 0) {
            Py_XDECREF(stray);
            goto done;
        }
        Py_DECREF(stray);
        *previous = id;
        result = 0;
        goto done;
    }
    PyObject *chain_macs = PyTuple_GET_ITEM(macs, k), *chain_suspects = PyTuple_GET_ITEM(suspects, k);
    if (PyDict_SetItem(chain_macs, number, digest) < 0) goto done;
    int suspect = 0;
    if (id <= *previous) {
        PyObject *pair = PyTuple_Pack(2, number, PyTuple_GET_ITEM(PyTuple_GET_ITEM(names, k), 1));
        if (pair == NULL || PyList_Append(twice, pair) < 0) {
            Py_XDECREF(pair);
            goto done;
        }
        Py_DECREF(pair);
        suspect = 1;
    }
    *previous = id;
    if (!suspect && memchr(line, '\\', (size_t)len) != NULL) suspect = 1;
    for (Py_ssize_t f = 2; !suspect && f < hash_at; f++) {
        if (f != detail_at && memchr(start[f], '"', (size_t)size[f]) != NULL) suspect = 1;
    }
    if (!suspect) {
        PyObject *detail = PyBytes_FromStringAndSize(start[detail_at], size[detail_at]);
        if (detail == NULL) goto done;
        PyObject *canonical = PyDict_GetItemWithError(details, detail); /* borrowed */
        if (canonical != NULL) {
            Py_INCREF(canonical);
        } else if (!PyErr_Occurred()) {
            canonical = PyObject_CallOneArg(canonical_detail, detail);
            if (canonical != NULL && !PyBytes_Check(canonical)) {
                PyErr_SetString(PyExc_TypeError, "canonical_detail must return bytes");
                Py_CLEAR(canonical);
            }
            if (canonical != NULL && PyDict_GET_SIZE(details) < DETAILS_KEPT &&
                PyDict_SetItem(details, detail, canonical) < 0) {
                Py_CLEAR(canonical);
            }
        }
        Py_DECREF(detail);
        if (canonical == NULL) goto done;
        SHA256_CTX ctx = states->inner;
        for (Py_ssize_t p = 0; p < npieces; p++) {
            PyObject *piece = PyTuple_GET_ITEM(pieces, p);
            SHA256_Update(&ctx, PyBytes_AS_STRING(piece), (size_t)PyBytes_GET_SIZE(piece));
            if (p + 1 < npieces) {
                Py_ssize_t f = p + 2;
                if (f == detail_at) {
                    SHA256_Update(&ctx, PyBytes_AS_STRING(canonical),
                                  (size_t)PyBytes_GET_SIZE(canonical));
                } else {
                    SHA256_Update(&ctx, start[f], (size_t)size[f]);
                }
            }
        }
        Py_DECREF(canonical);
        unsigned char mac[SHA256_DIGEST_LENGTH];
        SHA256_Final(mac, &ctx);
        ctx = states->outer;
        SHA256_Update(&ctx, mac, sizeof mac);
        SHA256_Final(mac, &ctx);
        int fine = size[hash_at] == 2 * SHA256_DIGEST_LENGTH;
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < SHA256_DIGEST_LENGTH && fine; i++) {
            fine = start[hash_at][2 * i] == hex[mac[i] >> 4] &&
                   start[hash_at][2 * i + 1] == hex[mac[i] & 15];
        }
        suspect = !fine;
    }
    if (suspect && PySet_Add(chain_suspects, number) < 0) goto done;
    result = 0;
done:
    Py_XDECREF(number);
    Py_XDECREF(digest);
    return result;
}

static PyObject *
check(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *lines, *pieces, *names, *details, *canonical_detail, *macs, *suspects;
    Py_ssize_t detail_at;
    long long previous;
    Py_buffer key;

    if (!PyArg_ParseTuple(args, "O!O!nO!y*O!OO!O!L:check", &PyList_Type, &lines, &PyTuple_Type,
                          &pieces, &detail_at, &PyTuple_Type, &names, &key, &PyDict_Type,
                          &details, &canonical_detail, &PyTuple_Type, &macs, &PyTuple_Type,
                          &suspects, &previous)) {
        return NULL;
    }
    PyObject *out = NULL, *strays = NULL, *twice = NULL, *batch = NULL;
    Py_ssize_t npieces = PyTuple_GET_SIZE(pieces), nnames = PyTuple_GET_SIZE(names);
    if (npieces < 2 || npieces - 1 + 4 > MAX_FIELDS || detail_at < 2 ||
        detail_at >= npieces + 1) {
        PyErr_SetString(PyExc_ValueError, "pieces and detail_at do not fit a COPY line");
        goto done;
    }
    for (Py_ssize_t p = 0; p < npieces; p++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(pieces, p))) {
            PyErr_SetString(PyExc_TypeError, "pieces must be bytes");
            goto done;
        }
    }
    if (PyTuple_GET_SIZE(macs) != nnames || PyTuple_GET_SIZE(suspects) != nnames) {
        PyErr_SetString(PyExc_ValueError, "names, macs and suspects must be alike in length");
        goto done;
    }
    for (Py_ssize_t k = 0; k < nnames; k++) {
        PyObject *name = PyTuple_GET_ITEM(names, k);
        if (!PyTuple_Check(name) || PyTuple_GET_SIZE(name) != 2 ||
            !PyBytes_Check(PyTuple_GET_ITEM(name, 0)) ||
            !PyDict_Check(PyTuple_GET_ITEM(macs, k)) ||
            !PySet_Check(PyTuple_GET_ITEM(suspects, k))) {
            PyErr_SetString(PyExc_TypeError,
                            "names must be (bytes, name) pairs, macs dicts, suspects sets");
            goto done;
        }
    }
    if (!PyCallable_Check(canonical_detail)) {
        PyErr_SetString(PyExc_TypeError, "canonical_detail must be callable");
        goto done;
    }
    hmac_states states;
    hmac_init(&states, key.buf, key.len);
    /* A tuple of the lines: canonical_detail runs Python, which must not change the batch. */
    batch = PyList_AsTuple(lines);
    strays = PyList_New(0);
    twice = PyList_New(0);
    if (batch == NULL || strays == NULL || twice == NULL) goto done;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(batch); i++) {
        Py_buffer line;
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(batch, i), &line, PyBUF_SIMPLE) < 0) goto done;
        int failed = check_line(line.buf, line.len, pieces, detail_at, names, &states, details,
                                canonical_detail, macs, suspects, strays, twice, &previous);
        PyBuffer_Release(&line);
        if (failed) goto done;
    }
    out = Py_BuildValue("(LOO)", previous, strays, twice);
done:
    Py_XDECREF(batch);
    Py_XDECREF(strays);
    Py_XDECREF(twice);
    PyBuffer_Release(&key);
    return out;
}

static PyMethodDef methods[] = {
    {"check", check, METH_VARARGS,
     "check(lines, pieces, detail_at, names, key, details, canonical_detail, macs, suspects, "
     "previous) -> (last_id, strays, twice)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastwalk", "verify_audit's per-row work in C", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fastwalk(void)
{
    return PyModule_Create(&module);
}
