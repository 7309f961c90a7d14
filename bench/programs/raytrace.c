/* A ray tracer: floating point with small structs passed and returned by value (vectors,
 * rays, hit records), spheres and a checkered plane, two point lights with shadows, Phong
 * highlights and reflections up to depth 4, 2x2 supersampling. Only + - * / and sqrt, so
 * every build computes the same bits.
 *
 * Usage: raytrace SIZE (a SIZE x SIZE image). Prints a hash of the 8-bit pixels and the
 * average brightness. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { double x, y, z; } vec;
typedef struct { vec origin, dir; } ray;
typedef struct { vec center; double radius; vec colour; double reflect; } sphere;
typedef struct { double t; vec point, normal, colour; double reflect; int hit; } hit;

static vec v(double x, double y, double z) { return (vec){x, y, z}; }
static vec add(vec a, vec b) { return v(a.x + b.x, a.y + b.y, a.z + b.z); }
static vec sub(vec a, vec b) { return v(a.x - b.x, a.y - b.y, a.z - b.z); }
static vec scale(vec a, double s) { return v(a.x * s, a.y * s, a.z * s); }
static vec mul(vec a, vec b) { return v(a.x * b.x, a.y * b.y, a.z * b.z); }
static double dot(vec a, vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static vec norm(vec a) { return scale(a, 1.0 / sqrt(dot(a, a))); }

enum { N_SPHERES = 7 };
static sphere spheres[N_SPHERES];
static const vec LIGHTS[2] = {{-4.0, 6.0, -3.0}, {5.0, 4.0, -6.0}};
static const double LIGHT_POWER[2] = {0.7, 0.45};

static void make_scene(void) {
    spheres[0] = (sphere){{0.0, 1.0, 4.0}, 1.0, {0.9, 0.2, 0.2}, 0.3};
    spheres[1] = (sphere){{-2.2, 0.7, 5.0}, 0.7, {0.2, 0.8, 0.3}, 0.1};
    spheres[2] = (sphere){{2.0, 0.8, 3.5}, 0.8, {0.3, 0.4, 0.95}, 0.5};
    for (int i = 3; i < N_SPHERES; i++) {  /* a row of small mirrored spheres */
        double x = -1.5 + (i - 3);
        spheres[i] = (sphere){{x, 0.3, 2.2}, 0.3, {0.95, 0.9, 0.6}, 0.7};
    }
}

static hit intersect(ray r) {
    hit h = {.t = 1e30};
    for (int i = 0; i < N_SPHERES; i++) {
        const sphere *s = &spheres[i];
        vec oc = sub(r.origin, s->center);
        double b = dot(oc, r.dir), c = dot(oc, oc) - s->radius * s->radius;
        double disc = b * b - c;
        if (disc < 0) continue;
        double root = sqrt(disc), t = -b - root;
        if (t < 1e-6) t = -b + root;
        if (t < 1e-6 || t >= h.t) continue;
        h.t = t;
        h.point = add(r.origin, scale(r.dir, t));
        h.normal = scale(sub(h.point, s->center), 1.0 / s->radius);
        h.colour = s->colour;
        h.reflect = s->reflect;
        h.hit = 1;
    }
    if (r.dir.y < -1e-9) {  /* the floor, y = 0: a checkerboard */
        double t = -r.origin.y / r.dir.y;
        if (t > 1e-6 && t < h.t) {
            h.t = t;
            h.point = add(r.origin, scale(r.dir, t));
            h.normal = v(0, 1, 0);
            int check = ((int)floor(h.point.x) + (int)floor(h.point.z)) & 1;
            h.colour = check ? v(0.9, 0.9, 0.9) : v(0.15, 0.15, 0.2);
            h.reflect = 0.2;
            h.hit = 1;
        }
    }
    return h;
}

static vec trace(ray r, int depth) {
    hit h = intersect(r);
    if (!h.hit) {  /* the sky: a gradient */
        double k = 0.5 * (r.dir.y + 1.0);
        return add(scale(v(1, 1, 1), 1.0 - k), scale(v(0.4, 0.6, 1.0), k));
    }
    vec colour = scale(h.colour, 0.08);  /* ambient */
    for (int l = 0; l < 2; l++) {
        vec to_light = sub(LIGHTS[l], h.point);
        double dist = sqrt(dot(to_light, to_light));
        vec ldir = scale(to_light, 1.0 / dist);
        double diffuse = dot(h.normal, ldir);
        if (diffuse <= 0) continue;
        hit shadow = intersect((ray){add(h.point, scale(h.normal, 1e-4)), ldir});
        if (shadow.hit && shadow.t < dist) continue;
        colour = add(colour, scale(h.colour, diffuse * LIGHT_POWER[l]));
        vec half = norm(sub(ldir, r.dir));
        double spec = dot(h.normal, half);
        if (spec > 0) {
            spec *= spec, spec *= spec, spec *= spec, spec *= spec, spec *= spec;  /* ^32 */
            colour = add(colour, scale(v(1, 1, 1), spec * LIGHT_POWER[l]));
        }
    }
    if (depth < 4 && h.reflect > 0) {
        vec refl_dir = sub(r.dir, scale(h.normal, 2 * dot(r.dir, h.normal)));
        vec reflected = trace((ray){add(h.point, scale(h.normal, 1e-4)), refl_dir}, depth + 1);
        colour = add(scale(colour, 1 - h.reflect), mul(scale(reflected, h.reflect), h.colour));
    }
    return colour;
}

static int to_byte(double c) {
    if (c <= 0) return 0;
    if (c >= 1) return 255;
    return (int)(c * 255 + 0.5);
}

int main(int argc, char **argv) {
    int size = argc > 1 ? atoi(argv[1]) : 64;
    make_scene();
    vec eye = v(0, 1.5, -3);
    uint32_t hash = 2166136261u;
    double brightness = 0;
    for (int py = 0; py < size; py++) {
        for (int px = 0; px < size; px++) {
            vec sum = v(0, 0, 0);
            for (int sy = 0; sy < 2; sy++) {
                for (int sx = 0; sx < 2; sx++) {
                    double x = ((px + 0.25 + 0.5 * sx) / size - 0.5) * 2;
                    double y = (0.5 - (py + 0.25 + 0.5 * sy) / size) * 2;
                    vec dir = norm(v(x, y - 0.25, 1.6));
                    sum = add(sum, trace((ray){eye, dir}, 0));
                }
            }
            sum = scale(sum, 0.25);
            int rgb[3] = {to_byte(sum.x), to_byte(sum.y), to_byte(sum.z)};
            for (int k = 0; k < 3; k++) {
                hash = (hash ^ (uint32_t)rgb[k]) * 16777619u;
                brightness += rgb[k];
            }
        }
    }
    printf("%dx%d: hash %08x, mean %.4f\n", size, size, hash, brightness / (3.0 * size * size));
    return 0;
}
