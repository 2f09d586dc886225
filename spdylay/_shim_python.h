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

/* Appends to the list |slot| a bytes object of |length| bytes that |fill|
   writes from |ctx|; nonzero when it could not.  cffi released the GIL
   around the C call that got here (pyspdylay_mem_recv, pyspdylay_send), so
   it is taken for the Python calls. */
static int pyspdylay_append_built(void *slot, size_t length,
                                  void (*fill)(const pyspdylay_ctx *, char *),
                                  const pyspdylay_ctx *ctx)
{
  PyGILState_STATE gil;
  PyObject *built;
  int rv = -1;
  if (length > (size_t)PY_SSIZE_T_MAX) {
    return -1;
  }
  gil = PyGILState_Ensure();
  built = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
  if (built != NULL) {
    char *dst = PyBytes_AsString(built);
    if (dst != NULL) {
      fill(ctx, dst);
      rv = PyList_Append((PyObject *)slot, built);
    }
    Py_DECREF(built);
  }
  if (rv != 0) {
    /* The caller does without the object. */
    PyErr_Clear();
  }
  PyGILState_Release(gil);
  return rv;
}

/* The pending chunk's spans of the input, one after the other. */
static void pyspdylay_fill_chunk(const pyspdylay_ctx *ctx, char *dst)
{
  size_t i;
  for (i = 0; i < ctx->span_count; ++i) {
    memcpy(dst, ctx->spans[i].bytes, ctx->spans[i].len);
    dst += ctx->spans[i].len;
  }
}

/* The chunk builder: one bytes object of the pending chunk, copied straight
   from its spans of the input, appended to the Session's slot list (the
   caller hands the spans over one by one when it fails). */
static int pyspdylay_build_chunk(pyspdylay_ctx *ctx, size_t length)
{
  size_t total = 0, i;
  for (i = 0; i < ctx->span_count; ++i) {
    total += ctx->spans[i].len;
  }
  if (total != length) {
    return -1;
  }
  return pyspdylay_append_built(ctx->chunk_slot, length, pyspdylay_fill_chunk,
                                ctx);
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
   slot list (the caller fills the spans into the output when it fails). */
static int pyspdylay_build_out(pyspdylay_ctx *ctx, size_t length)
{
  return pyspdylay_append_built(ctx->out_slot, length, pyspdylay_out_gather,
                                ctx);
}

int pyspdylay_build_in_c(pyspdylay_ctx *ctx, uintptr_t chunk_slot,
                         uintptr_t out_slot)
{
  ctx->chunk_slot = (void *)chunk_slot;
  ctx->chunk_builder = pyspdylay_build_chunk;
  ctx->out_slot = (void *)out_slot;
  ctx->out_builder = pyspdylay_build_out;
  return 1;
}

#else

int pyspdylay_nv_into_pairs(char **nv, uintptr_t pairs)
{
  (void)nv;
  (void)pairs;
  return 0;
}

int pyspdylay_build_in_c(pyspdylay_ctx *ctx, uintptr_t chunk_slot,
                         uintptr_t out_slot)
{
  (void)ctx;
  (void)chunk_slot;
  (void)out_slot;
  return 0;
}

#endif

#endif /* PYSPDYLAY_SHIM_PYTHON_H */
