// Templates are made of `JSONValue`s (input values, properties); users of CloudTemplate need the type
// without depending on VRAModels themselves.
@_exported import VRAModels
