#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, whose headers clash with the copy of ICU inside
// Foundation when both are imported into one Swift module. MxGPUKit never touches
// xmlCharEncodingHandler (the only type whose layout depends on it), so leave ICU out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/relaxng.h>
