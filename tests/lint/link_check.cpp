// Linked with one layer's whole archive and only the layers below it (tests/CMakeLists.txt): if
// any object of the layer calls upwards, this program does not link.
int main() { return 0; }
