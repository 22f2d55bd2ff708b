/* gradplug plugin ABI: the one small, stable C entry point every plugin exports.
 *
 * A plugin library exports one object of type gp_descriptor under the symbol name
 * GRADPLUG_DESCRIPTOR_SYMBOL (through Boost.DLL's BOOST_DLL_ALIAS; see plugin.hpp). The host reads
 * `abi_version` first and refuses the library unless it equals GRADPLUG_ABI_VERSION; only then does
 * it read the rest. Everything here is plain C data, so no C++ library type crosses the boundary in
 * the descriptor itself. */
#ifndef GRADPLUG_ABI_H
#define GRADPLUG_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump whenever gp_descriptor, gp_param or a plugin interface class changes layout.
 * 2: gp_param gained `choices` and the type GP_PARAM_CHOICE. */
#define GRADPLUG_ABI_VERSION 2u

/* The exported symbol that points at a plugin's descriptor. */
#define GRADPLUG_DESCRIPTOR_SYMBOL "gradplug_plugin"

/* What a plugin provides; decides which interface create() returns. */
typedef enum gp_kind {
  GP_KIND_ACTIVATION = 1, /* returns gradplug::Activation* */
  GP_KIND_OPTIMIZER = 2,  /* returns gradplug::Optimizer* */
  GP_KIND_REGULARIZER = 3 /* returns gradplug::Regularizer* */
} gp_kind;

/* The type of one hyperparameter. */
typedef enum gp_param_type {
  GP_PARAM_REAL = 1,  /* a double */
  GP_PARAM_INT = 2,   /* a whole number, carried as a double */
  GP_PARAM_BOOL = 3,  /* 0 or 1 */
  GP_PARAM_PAIR = 4,  /* two doubles, e.g. Adam's betas; the range applies to both */
  GP_PARAM_CHOICE = 5 /* one word of the listed `choices`, carried as its index (0, 1, ...) */
} gp_param_type;

/* One entry of a plugin's parameter schema. The range is [min, max], with either end open when
 * the matching *_open flag is set; use +-HUGE_VAL for no bound. */
typedef struct gp_param {
  const char* name; /* as configs spell it: an identifier, unique within the schema */
  gp_param_type type;
  double default_value[2]; /* must lie inside the range; [1] is used only by GP_PARAM_PAIR */
  double min;              /* lower end of the range (-HUGE_VAL: none) */
  double max;              /* upper end of the range (HUGE_VAL: none) */
  int min_open;            /* 1: min itself is excluded, 0: included */
  int max_open;            /* 1: max itself is excluded, 0: included */
  const char* doc;         /* one line, shown by `gradplug plugins` */
  /* GP_PARAM_CHOICE only (NULL otherwise): the words a config may give, separated by '|', e.g.
   * "none|tanh"; the range is then [0, number of words - 1] and the default is an index. */
  const char* choices;
} gp_param;

/* Values handed to create(): one gp_value per schema entry, in schema order, already validated
 * against the schema by the host. */
typedef struct gp_value {
  double v[2];
} gp_value;

/* The plugin's descriptor. Plugins do not fill it in by hand: GRADPLUG_PLUGIN (plugin.hpp) does. */
typedef struct gp_descriptor {
  uint32_t abi_version;    /* must stay the first member; GRADPLUG_ABI_VERSION when built */
  uint32_t kind;           /* a gp_kind */
  const char* name;        /* unique within its kind, e.g. "adam"; the name configs use */
  const char* version;     /* the plugin's own version, e.g. "1.0.0" */
  const char* description; /* one line, shown by `gradplug plugins` */
  const gp_param* params;  /* the parameter schema, param_count entries (NULL when none) */
  size_t param_count;
  /* Makes an instance from validated values. Returns NULL and writes a message into error
   * (at most error_size bytes, NUL-terminated) on failure; never throws. */
  void* (*create)(const gp_value* values, char* error, size_t error_size);
  /* Destroys what create() returned. */
  void (*destroy)(void* instance);
} gp_descriptor;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GRADPLUG_ABI_H */
