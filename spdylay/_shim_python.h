/*
 * _shim_python.h: the part of the shim that uses Python's C API.
 *
 * The builder includes it in cffi's generated source after _shim.h, where
 * cffi has already included Python.h (on CPython with Py_LIMITED_API), so
 * the shim proper (_shim.c) stays free of Python headers.  Only the limited
 * API is used, and only on CPython: on PyPy the C API goes through cpyext,
 * which costs more than the copy this saves.
 */
#ifndef PYSPDYLAY_SHIM_PYTHON_H
#define PYSPDYLAY_SHIM_PYTHON_H

#include <string.h>

#ifndef PYPY_VERSION

/* The chunk builder: one bytes object of the pending chunk, copied straight
   from its spans of the input, appended to the Session's slot list.  cffi
   released the GIL around the C call that got here (spdylay_session_mem_recv
   under pyspdylay_mem_recv), so it is taken for the Python calls. */
static int pyspdylay_build_chunk(pyspdylay_ctx *ctx, size_t length)
{
  PyGILState_STATE gil;
  PyObject *chunk;
  size_t total = 0, i;
  int rv = -1;
  for (i = 0; i < ctx->span_count; ++i) {
    total += ctx->spans[i].len;
  }
  if (total != length || length > (size_t)PY_SSIZE_T_MAX) {
    return -1;
  }
  gil = PyGILState_Ensure();
  chunk = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
  if (chunk != NULL) {
    char *out = PyBytes_AsString(chunk);
    if (out != NULL) {
      for (i = 0; i < ctx->span_count; ++i) {
        memcpy(out, ctx->spans[i].bytes, ctx->spans[i].len);
        out += ctx->spans[i].len;
      }
      rv = PyList_Append((PyObject *)ctx->chunk_slot, chunk);
    }
    Py_DECREF(chunk);
  }
  if (rv != 0) {
    /* The caller hands the spans over one by one instead. */
    PyErr_Clear();
  }
  PyGILState_Release(gil);
  return rv;
}

int pyspdylay_gather_into_bytes(pyspdylay_ctx *ctx, uintptr_t slot)
{
  ctx->chunk_slot = (void *)slot;
  ctx->chunk_builder = pyspdylay_build_chunk;
  return 1;
}

/* Each string of |nv| decoded as bytes.decode("utf-8", "surrogateescape")
   does, so decoding fails only when memory does. */
static PyObject *pyspdylay_nv_string(const char *string)
{
  return PyUnicode_DecodeUTF8(string, (Py_ssize_t)strlen(string),
                              "surrogateescape");
}

int pyspdylay_nv_into_pairs(char **nv, uintptr_t pairs)
{
  PyGILState_STATE gil;
  int rv = 1;
  if (nv == NULL) {
    return 1;
  }
  gil = PyGILState_Ensure();
  for (; nv[0] != NULL && nv[1] != NULL; nv += 2) {
    PyObject *name = pyspdylay_nv_string(nv[0]);
    PyObject *value = name == NULL ? NULL : pyspdylay_nv_string(nv[1]);
    PyObject *pair = value == NULL ? NULL : PyTuple_Pack(2, name, value);
    int appended = pair == NULL ? -1 : PyList_Append((PyObject *)pairs, pair);
    Py_XDECREF(pair);
    Py_XDECREF(value);
    Py_XDECREF(name);
    if (appended != 0) {
      /* The caller builds the list its own way instead. */
      PyErr_Clear();
      rv = -1;
      break;
    }
  }
  PyGILState_Release(gil);
  return rv;
}

/* The output builder: one bytes object of the output, copied from |out|
   and from the spans of read_cb's bytes objects, appended to the Session's
   slot list.  The GIL is taken as for a chunk. */
static int pyspdylay_build_out(pyspdylay_ctx *ctx, size_t length)
{
  PyGILState_STATE gil;
  PyObject *out;
  int rv = -1;
  if (length > (size_t)PY_SSIZE_T_MAX) {
    return -1;
  }
  gil = PyGILState_Ensure();
  out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
  if (out != NULL) {
    char *dst = PyBytes_AsString(out);
    if (dst != NULL) {
      pyspdylay_out_gather(ctx, dst);
      rv = PyList_Append((PyObject *)ctx->out_slot, out);
    }
    Py_DECREF(out);
  }
  if (rv != 0) {
    /* The caller fills the spans into the output instead. */
    PyErr_Clear();
  }
  PyGILState_Release(gil);
  return rv;
}

int pyspdylay_send_into_bytes(pyspdylay_ctx *ctx, uintptr_t slot)
{
  ctx->out_slot = (void *)slot;
  ctx->out_builder = pyspdylay_build_out;
  return 1;
}

#else

int pyspdylay_gather_into_bytes(pyspdylay_ctx *ctx, uintptr_t slot)
{
  (void)ctx;
  (void)slot;
  return 0;
}

int pyspdylay_nv_into_pairs(char **nv, uintptr_t pairs)
{
  (void)nv;
  (void)pairs;
  return 0;
}

int pyspdylay_send_into_bytes(pyspdylay_ctx *ctx, uintptr_t slot)
{
  (void)ctx;
  (void)slot;
  return 0;
}

#endif

#endif /* PYSPDYLAY_SHIM_PYTHON_H */
